"""The AWS resources the local runtime creates in the emulator."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from backbone.eventstore.table import create_table
from backbone.messaging.definitions import ConsumerDefinition, create_in_emulator

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
