"""What each service consumes, in the emulator and in CloudFormation, from one definition."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from backbone.messaging.definitions import ConsumerDefinition, to_cloudformation
from cluster_service.subscriptions import DEFINITION as CLUSTER_SERVICE
from events.schemas import (
    REGISTRY,
    ClusterReady,
    ClusterUnhealthy,
    Heartbeat,
    JobSubmitted,
    to_put_events_entry,
)
from job_service.subscriptions import DEFINITION as JOB_SERVICE
from local_runtime.emulator import Emulator, client
from local_runtime.patterns import detail_types as routed
from local_runtime.resources import create_event_bus, create_in_emulator
from local_runtime.services import DEFINITIONS
from monitor_service.subscriptions import DEFINITION as MONITOR_SERVICE
from tests.support import unique_name

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
EMR_CLUSTER, EMR_STEP = "EMR Cluster State Change", "EMR Step Status Change"
STACK = "CloudFormation Stack Status Change"
# moto's CloudFormation warns that it creates no QueuePolicy or Alarm (the stack still completes).
# The "::" of the type names would split the filter, hence the dots.
UNSUPPORTED_BY_MOTO_CFN = r"ignore:Tried to parse AWS..(SQS..QueuePolicy|CloudWatch..Alarm) "


def test_each_service_subscribes_to_what_design_md_says() -> None:
    assert routed(JOB_SERVICE) == {
        "ClusterReady",
        "ClusterIdle",
        "ClusterFailed",
        "ClusterTerminated",
        "AllocationRejected",
        "ClusterRequested",
        "PoolThresholdsChanged",
        "ClusterUnhealthy",
        EMR_STEP,
    }
    assert routed(CLUSTER_SERVICE) == {
        "JobSubmitted",
        "JobAllocated",
        "JobSucceeded",
        "JobFailed",
        "JobCancelled",
        "JobRequeued",
        "ClusterUnhealthy",
        EMR_CLUSTER,
        STACK,
    }
    assert routed(MONITOR_SERVICE) == {*REGISTRY, EMR_CLUSTER, EMR_STEP, STACK}


def test_the_template_reads_the_custom_bus_name_by_getatt_and_alarms_on_the_dlq() -> None:
    resources = to_cloudformation(JOB_SERVICE, bus_logical_id="Bus")
    rules = {k: r["Properties"] for k, r in resources.items() if r["Type"] == "AWS::Events::Rule"}
    buses = {json.dumps(rule["EventBusName"]) for rule in rules.values()}
    assert buses == {json.dumps({"Fn::GetAtt": ["Bus", "Name"]}), '"default"'}
    policy = resources["JobServiceQueuePolicy"]["Properties"]["PolicyDocument"]
    (statement,) = policy["Statement"]
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == [
        {"Fn::GetAtt": [rule, "Arn"]} for rule in rules
    ]
    alarm = resources["JobServiceDeadLetterAlarm"]["Properties"]
    assert (alarm["MetricName"], alarm["Threshold"]) == ("ApproximateNumberOfMessagesVisible", 0)


def test_creating_in_the_emulator_twice_changes_nothing(emulator: Emulator) -> None:
    bus, definition = fresh(emulator, JOB_SERVICE)

    first = create_in_emulator(emulator.endpoint_url, definition, bus)
    second = create_in_emulator(emulator.endpoint_url, definition, bus)

    assert first == second
    assert described(emulator, definition, bus) == described_rules(JOB_SERVICE)


def test_events_reach_the_queues_whose_patterns_match(emulator: Emulator) -> None:
    # Given the three services' queues on a fresh bus
    bus = fresh_bus(emulator)
    prefix = unique_name("route") + "-"
    queues = {
        d.service: create_in_emulator(emulator.endpoint_url, d.with_prefix(prefix), bus)
        for d in DEFINITIONS
    }

    # When our events are published on the custom bus and AWS's on the default bus
    events = client("events", emulator.endpoint_url)
    ours = [submitted(), ready(), unhealthy(), heartbeat()]
    entries = [to_put_events_entry(event, bus) for event in ours]
    entries += [aws_entry("aws.emr", EMR_STEP), aws_entry("aws.emr", EMR_CLUSTER)]
    entries += [aws_entry("aws.cloudformation", STACK)]
    assert events.put_events(Entries=entries)["FailedEntryCount"] == 0

    # Then each queue holds exactly what its service consumes
    sqs = client("sqs", emulator.endpoint_url)
    received = {service: detail_types(sqs, q["queue_url"]) for service, q in queues.items()}
    assert received == {
        "job_service": {"ClusterReady", "ClusterUnhealthy", EMR_STEP},
        "cluster_service": {"JobSubmitted", "ClusterUnhealthy", EMR_CLUSTER, STACK},
        "monitor_service": {
            "JobSubmitted",
            "ClusterReady",
            "ClusterUnhealthy",
            "Heartbeat",
            EMR_STEP,
            EMR_CLUSTER,
            STACK,
        },
    }


@pytest.mark.filterwarnings(UNSUPPORTED_BY_MOTO_CFN)
@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.service)
def test_the_template_deploys_and_describes_the_same_rules_as_the_emulator(
    emulator: Emulator, definition: ConsumerDefinition
) -> None:
    # Given the definition rendered into a stack (with its own bus) and into the emulator
    stacked = definition.with_prefix(unique_name("stack") + "-")
    bus_name = unique_name("stack-bus")
    bus = {"Type": "AWS::Events::EventBus", "Properties": {"Name": bus_name}}
    template = {"Resources": {"Bus": bus, **to_cloudformation(stacked, bus_logical_id="Bus")}}
    cloudformation = client("cloudformation", emulator.endpoint_url)

    # When the stack is created
    stack_name = unique_name("consumers")
    cloudformation.create_stack(StackName=stack_name, TemplateBody=json.dumps(template))

    # Then it completes, and its rules, targets and queues are the emulator's
    (stack,) = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    emulated_bus, emulated = fresh(emulator, definition)
    create_in_emulator(emulator.endpoint_url, emulated, emulated_bus)
    expected = described_rules(definition)
    assert described(emulator, stacked, bus_name) == expected
    assert described(emulator, emulated, emulated_bus) == expected
    assert queue_settings(emulator, stacked) == queue_settings(emulator, emulated)


def fresh_bus(emulator: Emulator) -> str:
    name = unique_name("bus")
    create_event_bus(client("events", emulator.endpoint_url), name)
    return name


def fresh(emulator: Emulator, definition: ConsumerDefinition) -> tuple[str, ConsumerDefinition]:
    return fresh_bus(emulator), definition.with_prefix(unique_name("emu") + "-")


def described(emulator: Emulator, definition: ConsumerDefinition, bus: str) -> set[Any]:
    """(rule suffix, bus kind, pattern, target queue suffix) as EventBridge reports them."""
    events, found = client("events", emulator.endpoint_url), set()
    for kind, bus_name in (("custom", bus), ("default", "default")):
        rules = events.list_rules(NamePrefix=definition.queue_name, EventBusName=bus_name)
        for rule in rules["Rules"]:
            targets = events.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus_name)
            queues = sorted(t["Arn"].rpartition(":")[2] for t in targets["Targets"])
            found.add(
                (
                    rule["Name"].removeprefix(definition.queue_name),
                    kind,
                    json.dumps(json.loads(rule["EventPattern"]), sort_keys=True),
                    tuple(q.removeprefix(definition.queue_name) for q in queues),
                )
            )
    return found


def described_rules(definition: ConsumerDefinition) -> set[Any]:
    """What `described` should find for a definition."""
    return {
        (f"-{s.name}", s.bus, json.dumps(s.event_pattern, sort_keys=True), ("",))
        for s in definition.subscriptions
    }


def queue_settings(emulator: Emulator, definition: ConsumerDefinition) -> dict[str, Any]:
    sqs = client("sqs", emulator.endpoint_url)
    url = sqs.get_queue_url(QueueName=definition.queue_name)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    redrive = json.loads(attributes["RedrivePolicy"])
    dead_letter = redrive["deadLetterTargetArn"].rpartition(":")[2]
    return {
        "visibility": attributes["VisibilityTimeout"],
        "max_receive_count": int(redrive["maxReceiveCount"]),
        "dead_letter_suffix": dead_letter.removeprefix(definition.queue_name),
    }


def detail_types(sqs: Any, url: str) -> set[str]:
    found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    return {json.loads(message["Body"])["detail-type"] for message in found}


def aws_entry(source: str, detail_type: str) -> dict[str, Any]:
    """An AWS event put on the default bus (moto accepts aws.* sources; AWS itself would not)."""
    detail = {"clusterId": "j-ABC", "stepId": "s-1", "state": "RUNNING"}
    return {"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail)}


def ids() -> dict[str, Any]:
    return {"event_id": str(uuid.uuid4()), "occurred_at": NOW}


def submitted() -> JobSubmitted:
    return JobSubmitted(
        **ids(),
        job_id="j",
        tenant_id="t",
        job_profile="p",
        cluster_profile="small",
        priority="high",
        name="n",
        timeout_seconds=60,
        submitted_at=NOW,
    )


def ready() -> ClusterReady:
    return ClusterReady(
        **ids(), cluster_id="c", cluster_profile="small", emr_cluster_id="j-ABC", slots=1
    )


def unhealthy() -> ClusterUnhealthy:
    return ClusterUnhealthy(**ids(), cluster_id="c", last_seen=NOW)


def heartbeat() -> Heartbeat:
    return Heartbeat(**ids(), service="job-service", instance_id="i-1", sequence=1)
