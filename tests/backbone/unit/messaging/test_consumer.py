"""The consumer: parsing, dispatch by detail-type, duplicates and partial batch responses."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from chalice import Chalice
from pydantic import ValidationError

from backbone.eventstore import AlreadyConsumed
from backbone.messaging.consumer import AwsEvent, BatchFailed, Consumer, Outcome
from events.schemas import (
    CLUSTER_SERVICE_SOURCE,
    ClusterReady,
    EmrStepStatusChange,
    JobSubmitted,
    to_envelope,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
STEP = "EMR Step Status Change"


def submitted(job_id: str = "job-1") -> JobSubmitted:
    return JobSubmitted(
        event_id=str(uuid.uuid4()),
        occurred_at=NOW,
        job_id=job_id,
        tenant_id="tenant-1",
        job_profile="train",
        cluster_profile="small",
        priority="normal",
        name="nightly",
        timeout_seconds=600,
        submitted_at=NOW,
    )


def ready() -> ClusterReady:
    return ClusterReady(
        event_id=str(uuid.uuid4()),
        occurred_at=NOW,
        cluster_id="c-1",
        cluster_profile="small",
        emr_cluster_id="j-ABC123",
        slots=2,
    )


def body(event: Any) -> str:
    """The envelope as moto's EventBridge delivers it: no `account`."""
    return json.dumps(to_envelope(event, account=None, envelope_id=str(uuid.uuid4())))


def step_body(envelope_id: str, state: str = "COMPLETED") -> str:
    """An AWS step event, as AWS delivers it (with `account`)."""
    return json.dumps(
        {
            "version": "0",
            "id": envelope_id,
            "detail-type": STEP,
            "source": "aws.emr",
            "account": "123456789012",
            "time": "2026-03-01T12:00:00Z",
            "region": "us-east-1",
            "resources": [],
            "detail": {"clusterId": "j-ABC123", "stepId": "s-XYZ", "state": state},
        }
    )


def sqs_event(*bodies: str) -> dict[str, Any]:
    records = [
        {
            "messageId": f"m{i}",
            "receiptHandle": f"r{i}",
            "body": b,
            "eventSource": "aws:sqs",
            "attributes": {"ApproximateReceiveCount": "1"},
        }
        for i, b in enumerate(bodies)
    ]
    return {"Records": records}


def test_an_integration_event_reaches_its_handler_as_its_model() -> None:
    seen: list[Any] = []
    event = submitted()
    consumer = Consumer({"JobSubmitted": seen.append})

    outcome = consumer.handle_message_body(body(event))

    assert outcome is Outcome.HANDLED
    assert seen == [event]


def test_an_aws_event_reaches_its_handler_keyed_on_its_envelope_id() -> None:
    seen: list[AwsEvent[EmrStepStatusChange]] = []
    consumer = Consumer({STEP: seen.append})

    consumer.handle_message_body(step_body("env-1"))

    (event,) = seen
    assert event.event_id == "env-1"
    assert isinstance(event.detail, EmrStepStatusChange)
    assert event.detail.state == "COMPLETED"


def test_a_parsed_envelope_is_validated_and_handled_as_its_text_is() -> None:
    seen: list[Any] = []
    event = submitted()
    consumer = Consumer({"JobSubmitted": seen.append, STEP: seen.append})

    assert consumer.handle_envelope(json.loads(body(event))) is Outcome.HANDLED
    consumer.handle_envelope(json.loads(step_body("env-2")))

    assert seen[0] == event
    assert seen[1].event_id == "env-2" and isinstance(seen[1].detail, EmrStepStatusChange)


def test_a_parsed_envelope_that_breaks_its_schema_is_refused() -> None:
    seen: list[Any] = []
    envelope = json.loads(body(submitted()))
    del envelope["detail"]["job_id"]

    with pytest.raises(ValidationError):
        Consumer({"JobSubmitted": seen.append}).handle_envelope(envelope)
    assert seen == []


def test_a_field_added_by_a_newer_publisher_is_ignored_not_rejected() -> None:
    seen: list[Any] = []
    envelope = json.loads(body(submitted()))
    envelope["detail"]["added_later"] = "x"

    Consumer({"JobSubmitted": seen.append}).handle_message_body(json.dumps(envelope))

    assert len(seen) == 1


def test_a_duplicate_refused_by_the_store_counts_as_success() -> None:
    def handler(event: Any) -> None:
        raise AlreadyConsumed([event.event_id])

    consumer = Consumer({"JobSubmitted": handler})

    assert consumer.handle_message_body(body(submitted())) is Outcome.DUPLICATE
    assert consumer.handle_sqs_event(sqs_event(body(submitted()))) == {"batchItemFailures": []}


def test_is_consumed_skips_the_handler_for_a_known_duplicate() -> None:
    event, seen = submitted(), []
    consumer = Consumer({"JobSubmitted": seen.append}, is_consumed={event.event_id}.__contains__)

    assert consumer.handle_message_body(body(event)) is Outcome.DUPLICATE
    assert seen == []


def test_only_the_bad_messages_of_a_batch_are_reported(caplog: pytest.LogCaptureFixture) -> None:
    # Given a batch: good, not JSON, unknown type, wrong schema, wrong source, handler error, good
    handled: list[Any] = []
    wrong_schema = json.loads(body(submitted()))
    del wrong_schema["detail"]["job_id"]
    wrong_source = json.loads(body(submitted()))
    wrong_source["source"] = CLUSTER_SERVICE_SOURCE

    def explode(event: Any) -> None:
        raise RuntimeError("boom")

    consumer = Consumer({"JobSubmitted": handled.append, "ClusterReady": explode})
    batch = sqs_event(
        body(submitted("a")),
        "not json",
        step_body("env-2"),
        json.dumps(wrong_schema),
        json.dumps(wrong_source),
        body(ready()),
        body(submitted("b")),
    )

    # When it is handled
    with caplog.at_level(logging.ERROR):
        response = consumer.handle_sqs_event(batch)

    # Then only the five bad ones are redelivered, each logged with its message id
    failed = [item["itemIdentifier"] for item in response["batchItemFailures"]]
    assert failed == ["m1", "m2", "m3", "m4", "m5"]
    assert [event.job_id for event in handled] == ["a", "b"]
    assert all(f"message {m} " in caplog.text for m in failed)


def test_without_partial_batch_responses_a_failure_fails_the_batch() -> None:
    consumer = Consumer({"JobSubmitted": lambda event: None}, partial_batch=False)

    assert consumer.handle_sqs_event(sqs_event(body(submitted()))) == {"batchItemFailures": []}
    with pytest.raises(BatchFailed) as raised:
        consumer.handle_sqs_event(sqs_event(body(submitted()), "not json"))
    assert raised.value.message_ids == ["m1"]


def test_a_handler_for_a_detail_type_without_a_model_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match="JobSubmited"):
        Consumer({"JobSubmited": print})


def test_a_chalice_sqs_handler_returns_the_partial_batch_response() -> None:
    # Given the consumer wired into Chalice the way a service's app.py does it
    app = Chalice(app_name="consumer-test")
    consumer = Consumer({"JobSubmitted": lambda event: None})

    @app.on_sqs_message(queue="job-service-events", batch_size=10)
    def consume(event: Any) -> dict[str, Any]:
        return consumer.handle_chalice_event(event)

    # When Lambda invokes it with a batch holding one poison message
    response = consume(sqs_event(body(submitted()), "not json"), None)

    # Then Chalice hands the consumer's answer back to Lambda unchanged
    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}]}


def test_a_batch_handler_gets_the_parsed_batch_at_once_and_its_failures_stay_alone() -> None:
    # Given a consumer with a batch handler that fails the second event it gets and answers the
    # third as a duplicate
    calls: list[list[str]] = []

    def handle_batch(events: Any) -> list[BaseException | None]:
        calls.append([e.job_id for e in events])
        return [None, RuntimeError("cannot save"), AlreadyConsumed(["x"])]

    consumer = Consumer({"JobSubmitted": _refuse}, batch_handler=handle_batch)
    bodies = [body(submitted("a")), "{not json", body(submitted("b")), body(submitted("c"))]
    # When a batch with a malformed message among them arrives
    answer = consumer.handle_sqs_event(sqs_event(*bodies))
    # Then the handler got the three parsed events in one call, and only the malformed message
    # and the failed event are reported
    assert calls == [["a", "b", "c"]]
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m2"}]}


def test_a_batch_handler_that_raises_falls_back_to_one_message_at_a_time() -> None:
    # Given a batch handler that fails as a whole, and single handlers that fail on "b" only
    seen: list[str] = []

    def handle_one(event: JobSubmitted) -> None:
        if event.job_id == "b":
            raise RuntimeError("poison")
        seen.append(event.job_id)

    def handle_batch(events: Any) -> list[BaseException | None]:
        raise RuntimeError("the batch's save failed")

    consumer = Consumer({"JobSubmitted": handle_one}, batch_handler=handle_batch)
    answer = consumer.handle_sqs_event(sqs_event(*(body(submitted(j)) for j in "abc")))
    # Then each message was handled alone and only the poison one is reported
    assert seen == ["a", "c"]
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m1"}]}


def test_batch_saves_off_handles_every_message_alone() -> None:
    seen: list[str] = []
    consumer = Consumer(
        {"JobSubmitted": lambda e: seen.append(e.job_id)}, batch_handler=_refuse_batch
    )
    consumer.batch_saves = False
    assert consumer.handle_sqs_event(sqs_event(*(body(submitted(j)) for j in "ab"))) == {
        "batchItemFailures": []
    }
    assert seen == ["a", "b"]


def _refuse(event: Any) -> None:
    raise AssertionError("the batch handler handles batches")


def _refuse_batch(events: Any) -> list[BaseException | None]:
    raise AssertionError("batch saves are off")
