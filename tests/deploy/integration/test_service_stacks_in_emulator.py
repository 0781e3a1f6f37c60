"""What moto's CloudFormation supports of each service stack is created from the template.

Kept: the event-store table, the queues and their policy, the rules, the alarms, the log groups,
the roles and the managed policy, with the shared stack's exports imported. Left out: SAM's
serverless resources (functions, API, layer), which moto cannot build from local code.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from backbone.eventstore import table_definition
from deploy.consumers import DEFINITIONS
from local_runtime.emulator import Emulator, client
from tests.deploy.emulated import create_shared_stack, create_stack, keep
from tests.deploy.templates import SERVICES, template
from tests.support import unique_name

BUILDABLE = {
    "AWS::DynamoDB::Table",
    "AWS::SQS::Queue",
    "AWS::SQS::QueuePolicy",
    "AWS::Events::Rule",
    "AWS::CloudWatch::Alarm",
    "AWS::Logs::LogGroup",
    "AWS::IAM::Role",
    "AWS::IAM::ManagedPolicy",
}
pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse AWS::")
NAMED = ("QueueName", "AlarmName", "Name")
"""Fixed names, prefixed per test: the emulator is shared by the whole test session."""


@pytest.fixture(scope="module")
def shared(emulator: Emulator) -> tuple[str, str]:
    """A shared stack of the tests' own: its name and its bus's name."""
    stack, bus = unique_name("shared"), unique_name("bus")
    create_shared_stack(emulator.endpoint_url, stack, bus)
    return stack, bus


def buildable(service: str, prefix: str) -> dict[str, Any]:
    doc = template(service)
    for name in ("Transform", "Globals"):
        doc.pop(name)
    keep(doc, lambda resource: resource["Type"] in BUILDABLE)
    for resource in doc["Resources"].values():
        properties = resource.get("Properties", {})
        for key in NAMED:
            if isinstance(properties.get(key), str):
                properties[key] = prefix + properties[key]
    return doc


@pytest.mark.parametrize("service", SERVICES)
def test_the_service_stack_builds_and_routes_a_consumed_event_to_its_queue(
    service: str, emulator: Emulator, shared: tuple[str, str]
) -> None:
    shared_stack, bus = shared
    prefix = unique_name("t") + "-"
    url = emulator.endpoint_url
    stack = unique_name(service.replace("_", "-"))
    parameters = {"SharedStackName": shared_stack}
    outputs = create_stack(url, stack, buildable(service, prefix), parameters)

    table = client("dynamodb", url).describe_table(TableName=outputs["EventStoreTable"])["Table"]
    expected = table_definition(table["TableName"])
    assert table["KeySchema"] == expected["KeySchema"]
    assert table["StreamSpecification"] == expected["StreamSpecification"]

    definition = DEFINITIONS[service].with_prefix(prefix)
    sqs = client("sqs", url)
    attributes = sqs.get_queue_attributes(QueueUrl=outputs["QueueUrl"], AttributeNames=["All"])
    redrive = json.loads(attributes["Attributes"]["RedrivePolicy"])
    assert redrive["maxReceiveCount"] == definition.max_receive_count
    assert redrive["deadLetterTargetArn"].endswith(":" + definition.dead_letter_queue_name)

    subscription = next(s for s in definition.subscriptions if s.bus == "custom")
    events = client("events", url)
    rule = events.describe_rule(Name=definition.rule_name(subscription), EventBusName=bus)
    assert json.loads(rule["EventPattern"]) == subscription.event_pattern
    source, detail_type = _an_event_matching(subscription.event_pattern)
    entry = {"Source": source, "DetailType": detail_type, "Detail": "{}", "EventBusName": bus}
    assert events.put_events(Entries=[entry])["FailedEntryCount"] == 0
    received = sqs.receive_message(QueueUrl=outputs["QueueUrl"], WaitTimeSeconds=2)
    (message,) = received["Messages"]
    assert json.loads(message["Body"])["detail-type"] == detail_type


def _an_event_matching(pattern: dict[str, Any]) -> tuple[str, str]:
    source = pattern["source"][0]
    source = source if isinstance(source, str) else source["prefix"] + "job-service"
    return source, pattern.get("detail-type", ["Heartbeat"])[0]
