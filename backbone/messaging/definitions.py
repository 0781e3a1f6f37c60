"""What each service consumes, rendered from one definition into moto or into CloudFormation.

Per consumer: rules (ours on the custom bus, AWS's on the default bus) → one SQS queue, with a
dead-letter queue after `max_receive_count` receives and an alarm on the dead-letter queue's depth.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import boto3

from events import schemas as ev
from events.schemas.aws import AwsDetail

Bus = Literal["custom", "default"]
DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600  # SQS's maximum: time to look before it is gone
TARGET_ID = "queue"


@dataclass(frozen=True)
class Subscription:
    """One EventBridge rule: a pattern on the custom bus (ours) or the default bus (AWS's)."""

    name: str
    event_pattern: dict[str, Any]
    bus: Bus = "custom"


@dataclass(frozen=True)
class ConsumerDefinition:
    """A service's queue, its dead-letter queue and the rules that feed it."""

    service: str
    queue_name: str
    dead_letter_queue_name: str
    max_receive_count: int = 5
    visibility_timeout: int = 60
    subscriptions: tuple[Subscription, ...] = ()

    def with_prefix(self, prefix: str) -> ConsumerDefinition:
        """The same definition with prefixed queue (and so rule) names, e.g. per stage or test."""
        return replace(
            self,
            queue_name=prefix + self.queue_name,
            dead_letter_queue_name=prefix + self.dead_letter_queue_name,
        )

    def rule_name(self, subscription: Subscription) -> str:
        """The rule's name: unique per queue, within EventBridge's 64 characters."""
        return f"{self.queue_name}-{subscription.name}"[:64]

    def detail_types(self) -> frozenset[str]:
        """Every detail-type (ours and AWS's) some subscription of this definition matches."""
        known = [(src, name) for name, model in ev.REGISTRY.items() for src in model.sources()]
        return frozenset(
            name
            for src, name in [*known, *ev.AWS_REGISTRY]
            if any(
                _matches(s.event_pattern, {"source": src, "detail-type": name})
                for s in self.subscriptions
            )
        )


def _pattern(*models: type[ev.IntegrationEvent] | type[AwsDetail]) -> dict[str, Any]:
    return {
        "source": sorted({m.source for m in models}),
        "detail-type": [m.detail_type for m in models],
    }


JOB_SERVICE = ConsumerDefinition(
    "job_service",
    "job-service-events",
    "job-service-events-dlq",
    subscriptions=(
        Subscription(
            "clusters",
            _pattern(
                ev.ClusterReady,
                ev.ClusterIdle,
                ev.ClusterFailed,
                ev.ClusterTerminated,
                ev.AllocationRejected,
            ),
        ),
        Subscription("pools", _pattern(ev.ClusterRequested, ev.PoolThresholdsChanged)),
        Subscription("health", _pattern(ev.ClusterUnhealthy)),
        Subscription("emr-steps", _pattern(ev.EmrStepStatusChange), "default"),
    ),
)
CLUSTER_SERVICE = ConsumerDefinition(
    "cluster_service",
    "cluster-service-events",
    "cluster-service-events-dlq",
    subscriptions=(
        Subscription(
            "jobs",
            _pattern(
                ev.JobSubmitted,
                ev.JobAllocated,
                ev.JobSucceeded,
                ev.JobFailed,
                ev.JobCancelled,
                ev.JobRequeued,
            ),
        ),
        Subscription("health", _pattern(ev.ClusterUnhealthy)),
        Subscription("emr-clusters", _pattern(ev.EmrClusterStateChange), "default"),
        Subscription("stacks", _pattern(ev.CloudFormationStackStatusChange), "default"),
    ),
)
MONITOR_SERVICE = ConsumerDefinition(
    "monitor_service",
    "monitor-service-events",
    "monitor-service-events-dlq",
    subscriptions=(
        Subscription("everything", {"source": [{"prefix": ev.SOURCE_PREFIX}]}),
        Subscription("emr", _pattern(ev.EmrClusterStateChange, ev.EmrStepStatusChange), "default"),
        Subscription("stacks", _pattern(ev.CloudFormationStackStatusChange), "default"),
    ),
)
DEFINITIONS = (JOB_SERVICE, CLUSTER_SERVICE, MONITOR_SERVICE)


def _matches(pattern: Mapping[str, Any], event: Mapping[str, str]) -> bool:
    """EventBridge matching for flat fields and the exact and prefix matchers our rules use."""

    def one(expected: Any, value: str) -> bool:
        if isinstance(expected, dict) and set(expected) == {"prefix"}:
            return value.startswith(expected["prefix"])
        if isinstance(expected, str):
            return expected == value
        raise ValueError(f"cannot evaluate pattern value {expected!r}")

    return all(key in event and any(one(v, event[key]) for v in pattern[key]) for key in pattern)


def create_in_emulator(
    endpoint_url: str, definition: ConsumerDefinition, bus_name: str, *, region: str = "us-east-1"
) -> dict[str, Any]:
    """Create (or bring up to date) the queues and rules in moto; returns URLs and ARNs."""
    sqs, events = (_emulator_client(name, endpoint_url, region) for name in ("sqs", "events"))
    dlq_url, dlq_arn = _queue(sqs, definition.dead_letter_queue_name)
    retention = {"MessageRetentionPeriod": str(DEAD_LETTER_RETENTION_SECONDS)}
    sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes=retention)
    queue_url, queue_arn = _queue(sqs, definition.queue_name)
    rules = {}
    for subscription in definition.subscriptions:
        bus = bus_name if subscription.bus == "custom" else "default"
        name, pattern = definition.rule_name(subscription), json.dumps(subscription.event_pattern)
        rules[name] = events.put_rule(Name=name, EventBusName=bus, EventPattern=pattern)["RuleArn"]
        target = {"Id": TARGET_ID, "Arn": queue_arn}
        events.put_targets(Rule=name, EventBusName=bus, Targets=[target])
    attributes = {
        "VisibilityTimeout": str(definition.visibility_timeout),
        "RedrivePolicy": json.dumps(_redrive_policy(dlq_arn, definition.max_receive_count)),
        "Policy": json.dumps(_queue_policy(queue_arn, rules.values())),
    }
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes=attributes)
    return {
        "queue_url": queue_url,
        "queue_arn": queue_arn,
        "rules": rules,
        "dead_letter_queue_url": dlq_url,
        "dead_letter_queue_arn": dlq_arn,
    }


def _emulator_client(service: str, endpoint_url: str, region: str) -> Any:
    """Dummy credentials: never send real ones to an emulator."""
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.client(service, endpoint_url=endpoint_url, region_name=region, **keys)


def _queue(sqs: Any, name: str) -> tuple[str, str]:
    """Create without attributes (so a second call never conflicts); its URL and ARN."""
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return url, attributes["Attributes"]["QueueArn"]


def _redrive_policy(dead_letter_arn: Any, max_receive_count: int) -> dict[str, Any]:
    return {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": max_receive_count}


def _queue_policy(queue_arn: Any, rule_arns: Iterable[Any]) -> dict[str, Any]:
    """EventBridge may send to the queue, and only on behalf of this queue's own rules."""
    statement = {
        "Sid": "EventBridgeRules",
        "Effect": "Allow",
        "Action": "sqs:SendMessage",
        "Principal": {"Service": "events.amazonaws.com"},
        "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": list(rule_arns)}},
    }
    return {"Version": "2012-10-17", "Statement": [statement]}


def to_cloudformation(
    definition: ConsumerDefinition, bus_logical_id: str = "Bus"
) -> dict[str, dict[str, Any]]:
    """The CloudFormation resources for the definition, keyed by logical id."""
    prefix = _logical(definition.service)
    queue, dlq = f"{prefix}Queue", f"{prefix}DeadLetterQueue"
    rules = {f"{prefix}{_logical(s.name)}Rule": s for s in definition.subscriptions}
    resources: dict[str, dict[str, Any]] = {
        dlq: _resource(
            "AWS::SQS::Queue",
            QueueName=definition.dead_letter_queue_name,
            MessageRetentionPeriod=DEAD_LETTER_RETENTION_SECONDS,
        ),
        queue: _resource(
            "AWS::SQS::Queue",
            QueueName=definition.queue_name,
            VisibilityTimeout=definition.visibility_timeout,
            RedrivePolicy=_redrive_policy(_arn(dlq), definition.max_receive_count),
        ),
        f"{prefix}QueuePolicy": _resource(
            "AWS::SQS::QueuePolicy",
            Queues=[{"Ref": queue}],
            PolicyDocument=_queue_policy(_arn(queue), [_arn(rule) for rule in rules]),
        ),
        f"{prefix}DeadLetterAlarm": _dead_letter_alarm(definition, dlq),
    }
    for logical_id, subscription in rules.items():
        custom = subscription.bus == "custom"
        bus = {"Fn::GetAtt": [bus_logical_id, "Name"]} if custom else "default"
        resources[logical_id] = _resource(
            "AWS::Events::Rule",
            Name=definition.rule_name(subscription),
            EventBusName=bus,  # GetAtt, not Ref: moto cannot Ref an EventBus
            EventPattern=subscription.event_pattern,
            State="ENABLED",
            Targets=[{"Id": TARGET_ID, "Arn": _arn(queue)}],
        )
    return resources


def _dead_letter_alarm(definition: ConsumerDefinition, dlq: str) -> dict[str, Any]:
    """Any message in the dead-letter queue is an event some service never took in."""
    return _resource(
        "AWS::CloudWatch::Alarm",
        AlarmName=f"{definition.dead_letter_queue_name}-not-empty",
        AlarmDescription=f"{definition.service} gave up on messages in its dead-letter queue",
        Namespace="AWS/SQS",
        MetricName="ApproximateNumberOfMessagesVisible",
        Dimensions=[{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq, "QueueName"]}}],
        Statistic="Maximum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=0,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
    )


def _resource(resource_type: str, **properties: Any) -> dict[str, Any]:
    return {"Type": resource_type, "Properties": properties}


def _arn(logical_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def _logical(name: str) -> str:
    """'job_service' or 'emr-steps' as a CloudFormation logical id part: JobService, EmrSteps."""
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))
