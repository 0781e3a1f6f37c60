"""The local SQS event source: Lambda's event shape, deletes, redelivery, the dead-letter queue."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from backbone.messaging.consumer import Consumer
from backbone.messaging.definitions import ConsumerDefinition, Subscription
from events.schemas import JOB_SERVICE_SOURCE, JobSubmitted, to_put_events_entry
from local_runtime.emulator import Emulator, client
from local_runtime.resources import create_event_bus, create_in_emulator
from local_runtime.sqs_poller import SqsPoller
from tests.support import unique_name

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def queue(emulator: Emulator, max_receive_count: int = 5) -> dict[str, Any]:
    """A fresh queue with its dead-letter queue, fed by JobSubmitted on a fresh bus."""
    name = unique_name("poller")
    bus = create_event_bus(client("events", emulator.endpoint_url), name).rpartition("/")[2]
    pattern = {"source": [JOB_SERVICE_SOURCE], "detail-type": ["JobSubmitted"]}
    definition = ConsumerDefinition(
        "test",
        name,
        f"{name}-dlq",
        max_receive_count=max_receive_count,
        subscriptions=(Subscription("jobs", pattern),),
    )
    return {**create_in_emulator(emulator.endpoint_url, definition, bus), "bus": bus}


def drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])
    return list(found.get("Messages", []))


def submitted(job_id: str, **detail: Any) -> JobSubmitted:
    return JobSubmitted(
        event_id=str(uuid.uuid4()),
        occurred_at=NOW,
        job_id=job_id,
        tenant_id="t",
        job_profile="train",
        cluster_profile="small",
        priority="normal",
        name="n",
        timeout_seconds=60,
        submitted_at=NOW,
        **detail,
    )


def test_the_handler_gets_the_lambda_sqs_event_shape(emulator: Emulator) -> None:
    sqs, q = client("sqs", emulator.endpoint_url), queue(emulator)
    sqs.send_message(QueueUrl=q["queue_url"], MessageBody="hello")
    events: list[dict[str, Any]] = []

    received = SqsPoller(sqs, q["queue_url"], events.append, wait_seconds=0).poll_once()

    assert received == 1
    (record,) = events[0]["Records"]
    assert record["body"] == "hello"
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == q["queue_arn"]
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"messageId", "receiptHandle", "awsRegion"} <= record.keys()


def test_reported_failures_stay_and_everything_else_is_deleted(emulator: Emulator) -> None:
    sqs, q = client("sqs", emulator.endpoint_url), queue(emulator)
    for text in ("good", "bad", "good"):
        sqs.send_message(QueueUrl=q["queue_url"], MessageBody=text)

    def handler(event: dict[str, Any]) -> dict[str, Any]:
        bad = [r["messageId"] for r in event["Records"] if r["body"] == "bad"]
        return {"batchItemFailures": [{"itemIdentifier": m} for m in bad]}

    poller = SqsPoller(sqs, q["queue_url"], handler, wait_seconds=0, retry_visibility_timeout=0)
    while poller.poll_once() == 0:
        pass

    assert [m["Body"] for m in drain(sqs, q["queue_url"])] == ["bad"]


def test_a_handler_that_raises_leaves_the_whole_batch(emulator: Emulator) -> None:
    sqs, q = client("sqs", emulator.endpoint_url), queue(emulator)
    sqs.send_message(QueueUrl=q["queue_url"], MessageBody="one")

    def handler(event: dict[str, Any]) -> None:
        raise RuntimeError("boom")

    SqsPoller(sqs, q["queue_url"], handler, wait_seconds=0, retry_visibility_timeout=0).poll_once()

    assert [m["Body"] for m in drain(sqs, q["queue_url"])] == ["one"]


def test_a_poison_event_reaches_the_dead_letter_queue_and_good_ones_are_handled_once(
    emulator: Emulator,
) -> None:
    # Given three good JobSubmitted and one that breaks the schema, published to the bus
    events_client, sqs = (
        client("events", emulator.endpoint_url),
        client("sqs", emulator.endpoint_url),
    )
    q = queue(emulator, max_receive_count=2)
    bus = q["bus"]
    poison = {**to_put_events_entry(submitted("x"), bus), "Detail": json.dumps({"job_id": "x"})}
    entries = [to_put_events_entry(submitted(job), bus) for job in ("a", "b")]
    entries += [poison, to_put_events_entry(submitted("c"), bus)]
    assert events_client.put_events(Entries=entries)["FailedEntryCount"] == 0

    # When a consumer polls the queue until it is empty
    handled: list[str] = []
    receives: Counter[str] = Counter()
    consumer = Consumer({"JobSubmitted": lambda event: handled.append(event.job_id)})

    def handler(event: dict[str, Any]) -> dict[str, Any]:
        receives.update(record["messageId"] for record in event["Records"])
        return consumer.handle_sqs_event(event)

    poller = SqsPoller(sqs, q["queue_url"], handler, wait_seconds=0, retry_visibility_timeout=0)
    for _ in range(10):
        poller.poll_once()

    # Then the good ones were handled once, the poison was received twice and dead-lettered
    assert sorted(handled) == ["a", "b", "c"]
    assert sorted(receives.values()) == [1, 1, 1, 2]
    assert drain(sqs, q["queue_url"]) == []
    (dead,) = drain(sqs, q["dead_letter_queue_url"])
    assert json.loads(dead["Body"])["detail"] == {"job_id": "x"}


def test_run_polls_until_stopped(emulator: Emulator) -> None:
    sqs, q = client("sqs", emulator.endpoint_url), queue(emulator)
    sqs.send_message(QueueUrl=q["queue_url"], MessageBody="one")
    stop, seen = threading.Event(), []

    def handler(event: dict[str, Any]) -> None:
        seen.extend(record["body"] for record in event["Records"])
        stop.set()

    thread = threading.Thread(target=SqsPoller(sqs, q["queue_url"], handler).run, args=(stop,))
    thread.start()
    thread.join(timeout=10)

    assert not thread.is_alive()
    assert seen == ["one"]
