"""One contract for both publishers: the fake, and EventBridgePublisher on moto's bus."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from backbone.messaging.publisher import EventBridgePublisher, EventPublisher, InMemoryPublisher
from events.schemas import (
    CLUSTER_SERVICE_SOURCE,
    JOB_SERVICE_SOURCE,
    MONITOR_SERVICE_SOURCE,
    IntegrationEvent,
    from_eventbridge_envelope,
)
from local_runtime.emulator import Emulator
from local_runtime.emulator import client as new_client
from local_runtime.resources import create_event_bus
from tests.backbone.unit.messaging.test_publisher import job_submitted
from tests.support import unique_name


@functools.cache
def client(service: str, endpoint_url: str) -> Any:
    """One boto3 client per service for the session: making one takes a tenth of a second."""
    return new_client(service, endpoint_url)


@dataclass
class BusTap:
    """A new custom bus whose every service event is routed to an SQS queue we read."""

    events: Any
    sqs: Any
    bus_name: str
    queue_url: str

    @classmethod
    def create(cls, endpoint_url: str) -> BusTap:
        events, sqs = client("events", endpoint_url), client("sqs", endpoint_url)
        bus_name, rule = unique_name("bus"), unique_name("tap")
        create_event_bus(events, bus_name)
        queue_url = sqs.create_queue(QueueName=unique_name("tap"))["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
        sources = [JOB_SERVICE_SOURCE, CLUSTER_SERVICE_SOURCE, MONITOR_SERVICE_SOURCE]
        pattern = json.dumps({"source": sources})
        events.put_rule(Name=rule, EventBusName=bus_name, EventPattern=pattern)
        target = {"Id": "tap", "Arn": attributes["Attributes"]["QueueArn"]}
        events.put_targets(Rule=rule, EventBusName=bus_name, Targets=[target])
        return cls(events, sqs, bus_name, queue_url)

    def publisher(self, **options: Any) -> EventBridgePublisher:
        return EventBridgePublisher(self.events, self.bus_name, **options)

    def envelopes(self) -> list[dict[str, Any]]:
        """Every envelope delivered so far, in order, each read once (moto delivers at once)."""
        found: list[dict[str, Any]] = []
        while True:
            answer = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10)
            messages = answer.get("Messages", [])
            if not messages:
                return found
            for message in messages:
                found.append(json.loads(message["Body"]))
                self.sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )

    def received(self) -> list[IntegrationEvent]:
        return [from_eventbridge_envelope(envelope) for envelope in self.envelopes()]


@pytest.fixture
def tap(emulator: Emulator) -> BusTap:
    return BusTap.create(emulator.endpoint_url)


Contract = tuple[EventPublisher, Callable[[], list[IntegrationEvent]]]


@pytest.fixture(params=["in-memory", "eventbridge"])
def contract(request: pytest.FixtureRequest) -> Iterator[Contract]:
    """A publisher, and how to read back what it published."""
    if request.param == "in-memory":
        fake = InMemoryPublisher()
        yield fake, lambda: list(fake.published)
        return
    tap = BusTap.create(request.getfixturevalue("emulator").endpoint_url)
    yield tap.publisher(), tap.received


def test_published_events_come_out_equal_and_in_order(contract: Contract) -> None:
    publisher, published = contract
    events = [job_submitted(n) for n in range(12)]
    publisher.publish(events)
    assert published() == events


def test_publishing_nothing_publishes_nothing(contract: Contract) -> None:
    publisher, published = contract
    publisher.publish([])
    assert published() == []


def test_eventbridge_delivers_under_the_event_s_source_and_detail_type(tap: BusTap) -> None:
    event = job_submitted(1)
    tap.publisher().publish([event])
    [envelope] = tap.envelopes()
    assert envelope["source"] == JOB_SERVICE_SOURCE
    assert envelope["detail-type"] == "JobSubmitted"
    assert envelope["detail"]["event_id"] == event.event_id
