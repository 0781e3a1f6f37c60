"""The relay's Lambda handler fed DynamoDB Streams events built from moto's stream records."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

import pytest

from local_runtime.emulator import Emulator
from tests.backbone.integration.messaging.test_relay_stream import EventsSpy, Service


@pytest.fixture
def service(emulator: Emulator) -> Service:
    return Service.create(emulator.endpoint_url)


def test_the_stream_handler_reports_failures_from_the_first_rejected_record(
    service: Service,
) -> None:
    service.jobs.submit("a", "b")
    _, records = service.stream_records()
    spy = EventsSpy(service.tap.events, lambda call, index: True)
    answer = service.relay(spy).handle_stream_event(lambda_event(records))
    first = next(
        i for i, r in enumerate(records) if r["dynamodb"]["Keys"]["pk"]["S"] == "notification"
    )
    expected = [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in records[first:]]
    assert answer == {"batchItemFailures": expected}


def test_a_lambda_shaped_stream_event_is_relayed(service: Service) -> None:
    # Given the stream's records as Lambda delivers them: JSON, binary state as base64 text
    service.jobs.submit("a", "b")
    service.jobs.submit("c")
    _, records = service.stream_records()
    event = lambda_event(records)
    assert any(
        isinstance(r["dynamodb"]["NewImage"].get("state", {}).get("B"), str)
        for r in event["Records"]
    )
    # When the handler runs
    answer = service.relay().handle_stream_event(event)
    # Then nothing is reported failed and the translations are on the bus
    assert answer == {"batchItemFailures": []}
    assert service.tap.received() == service.expected()


def lambda_event(records: list[dict[str, Any]]) -> dict[str, Any]:
    """A Lambda DynamoDB Streams event from GetRecords records: plain JSON, binary as base64."""

    def jsonable(value: Any) -> Any:
        if isinstance(value, bytes):
            return base64.b64encode(value).decode()
        if isinstance(value, datetime):
            return value.timestamp()
        if isinstance(value, dict):
            return {key: jsonable(item) for key, item in value.items()}
        if isinstance(value, list):
            return [jsonable(item) for item in value]
        return value

    source = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/label"
    lambda_records = [{**jsonable(record), "eventSourceARN": source} for record in records]
    return dict(json.loads(json.dumps({"Records": lambda_records})))
