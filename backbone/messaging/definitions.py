"""What a service consumes, as a definition that deploy renders into CloudFormation.

Per consumer: rules (ours on the custom bus, AWS's on the default bus) → one SQS queue, with a
dead-letter queue after `max_receive_count` receives and an alarm on the dead-letter queue's depth.
Each service declares its own (services/<service>/subscriptions.py); `make run` builds the same
definition in the emulator (local_runtime/resources.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

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


def pattern(*models: type[ev.IntegrationEvent] | type[AwsDetail]) -> dict[str, Any]:
    """A rule's pattern matching exactly these events (ours or AWS's)."""
    return {
        "source": sorted({m.source for m in models}),
        "detail-type": [m.detail_type for m in models],
    }


def redrive_policy(dead_letter_arn: Any, max_receive_count: int) -> dict[str, Any]:
    return {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": max_receive_count}


def queue_policy(queue_arn: Any, rule_arns: Iterable[Any]) -> dict[str, Any]:
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
            RedrivePolicy=redrive_policy(_arn(dlq), definition.max_receive_count),
        ),
        f"{prefix}QueuePolicy": _resource(
            "AWS::SQS::QueuePolicy",
            Queues=[{"Ref": queue}],
            PolicyDocument=queue_policy(_arn(queue), [_arn(rule) for rule in rules]),
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
