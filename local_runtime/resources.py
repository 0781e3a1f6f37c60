"""The AWS resources the local runtime creates in the emulator.

A service's queues and rules come from the same ConsumerDefinition that deploy renders into the
service's template (backbone/messaging/definitions.py), so the two cannot drift.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from backbone.eventstore.table import create_table
from backbone.messaging.definitions import (
    DEAD_LETTER_RETENTION_SECONDS,
    TARGET_ID,
    ConsumerDefinition,
    queue_policy,
    redrive_policy,
)

from .emulator import client
from .settings import LocalSettings


@dataclass(frozen=True)
class LocalResources:
    """What create_local_resources made (or found already made)."""

    tables: tuple[str, ...]
    bus_name: str
    bus_arn: str


def create_local_resources(endpoint_url: str, settings: LocalSettings) -> LocalResources:
    """Create every service's event-store table and the custom bus; idempotent."""
    dynamodb = client("dynamodb", endpoint_url, settings.region)
    for table_name in settings.tables:
        create_table(dynamodb, table_name)
    events = client("events", endpoint_url, settings.region)
    bus_arn = create_event_bus(events, settings.bus_name)
    return LocalResources(tables=settings.tables, bus_name=settings.bus_name, bus_arn=bus_arn)


def create_event_bus(events: Any, bus_name: str) -> str:
    """Create the custom EventBridge bus unless it exists, and return its ARN."""
    try:
        return str(events.create_event_bus(Name=bus_name)["EventBusArn"])
    except events.exceptions.ResourceAlreadyExistsException:
        return str(events.describe_event_bus(Name=bus_name)["Arn"])


def create_consumer_queues(
    endpoint_url: str, settings: LocalSettings, definitions: Iterable[ConsumerDefinition]
) -> dict[str, str]:
    """Create each consumer's queue, dead-letter queue and rules (on the custom and the default
    bus) from the definitions the templates use; idempotent. Queue URL by service."""
    return {
        definition.service: str(
            create_in_emulator(endpoint_url, definition, settings.bus_name, region=settings.region)[
                "queue_url"
            ]
        )
        for definition in definitions
    }


def create_in_emulator(
    endpoint_url: str, definition: ConsumerDefinition, bus_name: str, *, region: str = "us-east-1"
) -> dict[str, Any]:
    """Create (or bring up to date) the queues and rules in moto; returns URLs and ARNs."""
    sqs, events = (client(name, endpoint_url, region) for name in ("sqs", "events"))
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
        "RedrivePolicy": json.dumps(redrive_policy(dlq_arn, definition.max_receive_count)),
        "Policy": json.dumps(queue_policy(queue_arn, rules.values())),
    }
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes=attributes)
    return {
        "queue_url": queue_url,
        "queue_arn": queue_arn,
        "rules": rules,
        "dead_letter_queue_url": dlq_url,
        "dead_letter_queue_arn": dlq_arn,
    }


def _queue(sqs: Any, name: str) -> tuple[str, str]:
    """Create without attributes (so a second call never conflicts); its URL and ARN."""
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return url, attributes["Attributes"]["QueueArn"]
