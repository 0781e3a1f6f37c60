"""The relay's core and its Lambda handler, on hand-built stream records and the fake publisher."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from eventsourcing.persistence import Notification

from backbone.messaging.publisher import InMemoryPublisher, PublishFailed
from backbone.messaging.relay import (
    EventIdMismatch,
    Relay,
    RelayInterrupted,
    StreamNotReadable,
    notification_of,
)
from events.schemas import IntegrationEvent, JobSubmitted, derived_event_id, new_event_id
from tests.backbone.unit.messaging.test_publisher import NOW

OID = "3f0d1a52-3a57-4a53-9d3c-6b1f6d7a0c11"


def record(
    seq: int, pk: str = "notification", *, name: str = "INSERT", **image: Any
) -> dict[str, Any]:
    """A Lambda-shaped stream record; a notification's state is base64 text, as Lambda sends."""
    keys = {"pk": {"S": pk}, "sk": {"N": str(seq)}}
    new_image: dict[str, Any] = dict(keys)
    if pk == "notification":
        state = json.dumps({"job": f"job-{seq}"}).encode()
        new_image |= {
            "oid": {"S": image.get("oid", OID)},
            "uuid": {"BOOL": True},
            "v": {"N": str(image.get("v", seq))},
            "topic": {"S": image.get("topic", "app:Job.Submitted")},
            "state": {"B": base64.b64encode(state).decode()},
        }
    change = {"Keys": keys, "NewImage": new_image, "SequenceNumber": f"{1000 + seq}"}
    return {"eventName": name, "eventSource": "aws:dynamodb", "dynamodb": change}


def translate(notification: Notification, event_id: str) -> IntegrationEvent | None:
    """Jobs' Submitted events become JobSubmitted; anything else is internal."""
    if not notification.topic.endswith("Submitted"):
        return None
    job = json.loads(notification.state)["job"]
    return JobSubmitted(
        event_id=event_id,
        occurred_at=NOW,
        job_id=job,
        tenant_id="t-1",
        job_profile="train",
        cluster_profile="small",
        priority="high",
        name=job,
        timeout_seconds=60,
        submitted_at=NOW,
    )


def relay(publisher: InMemoryPublisher, translator: Any = translate) -> Relay:
    return Relay(translator, publisher, namespace="job-service")


def job_ids(publisher: InMemoryPublisher) -> list[str]:
    return [event.job_id for event in publisher.published if isinstance(event, JobSubmitted)]


def test_only_inserts_of_notification_items_are_relayed() -> None:
    # Given a page with aggregate, counter, tracking and position items, a MODIFY and a REMOVE
    records = [
        record(1),
        record(2, f"events#{OID}"),
        record(3, "notification-counter"),
        record(4, "relay-position#shard-1", name="MODIFY"),
        record(5, name="REMOVE"),
        record(6, "tracking#upstream"),
        record(7),
    ]
    publisher = InMemoryPublisher()
    # When relayed
    relayed = relay(publisher).relay(records)
    # Then only the two notification INSERTs were published, in order
    assert relayed == 2
    assert job_ids(publisher) == ["job-1", "job-7"]


def test_internal_events_are_not_published() -> None:
    publisher = InMemoryPublisher()
    assert relay(publisher).relay([record(1, topic="app:Job.Noted"), record(2)]) == 1
    assert job_ids(publisher) == ["job-2"]


def test_the_event_id_derives_from_namespace_originator_and_version() -> None:
    publisher = InMemoryPublisher()
    relay(publisher).relay([record(1, v=4)])
    relay(publisher).relay([record(1, v=4)])  # the same stored event, relayed again
    first, again = publisher.published
    assert first.event_id == again.event_id == derived_event_id("job-service", OID, 4)
    other = Relay(translate, publisher, namespace="cluster-service").event_of(record(1, v=4))
    assert other is not None and other.event_id != first.event_id


def test_translate_must_use_the_id_it_is_given() -> None:
    def careless(notification: Notification, event_id: str) -> IntegrationEvent | None:
        event = translate(notification, event_id)
        return event.model_copy(update={"event_id": new_event_id()}) if event else None

    with pytest.raises(EventIdMismatch):
        relay(InMemoryPublisher(), careless).event_of(record(1))


def test_state_arrives_as_base64_in_lambda_and_as_bytes_from_get_records() -> None:
    from_lambda = record(1)
    from_boto3 = record(1)
    image = from_boto3["dynamodb"]["NewImage"]
    image["state"] = {"B": base64.b64decode(image["state"]["B"])}
    found = notification_of(from_lambda)
    assert found == notification_of(from_boto3)
    assert found is not None and found.state == b'{"job": "job-1"}'
    assert (found.id, found.originator_version, found.topic) == (1, 1, "app:Job.Submitted")


def test_a_notification_without_its_image_is_an_error_not_a_skip() -> None:
    keys_only = record(1)
    del keys_only["dynamodb"]["NewImage"]
    with pytest.raises(StreamNotReadable):
        notification_of(keys_only)


def test_handler_reports_no_failures_when_all_were_published() -> None:
    publisher = InMemoryPublisher()
    answer = relay(publisher).handle_stream_event({"Records": [record(1), record(2)]})
    assert answer == {"batchItemFailures": []}
    assert len(publisher.published) == 2


def test_handler_reports_every_record_from_the_first_rejected_event_on() -> None:
    # Given a publisher that rejects the event of record 3 (records 1 and 2 got out)
    records = [record(1), record(2, f"events#{OID}"), record(3), record(4, "x"), record(5)]

    class RejectsThird(InMemoryPublisher):
        def publish(self, events: Any) -> None:
            raise PublishFailed({events[1].event_id: "InternalFailure"}, 5)

    # When the handler runs
    answer = relay(RejectsThird()).handle_stream_event({"Records": records})
    # Then records 3, 4 and 5 are reported, so Lambda retries from record 3 in order
    assert answer["batchItemFailures"] == [
        {"itemIdentifier": "1003"},
        {"itemIdentifier": "1004"},
        {"itemIdentifier": "1005"},
    ]


def test_handler_reports_the_whole_page_when_publishing_fails_without_detail() -> None:
    records = [record(1, "x"), record(2), record(3)]

    class Broken(InMemoryPublisher):
        def publish(self, events: Any) -> None:
            raise ConnectionError("endpoint unreachable")

    answer = relay(Broken()).handle_stream_event({"Records": records})
    assert [f["itemIdentifier"] for f in answer["batchItemFailures"]] == ["1002", "1003"]


def test_an_untranslatable_record_stops_the_page_after_what_precedes_it_is_published() -> None:
    def fussy(notification: Notification, event_id: str) -> IntegrationEvent | None:
        if notification.originator_version == 2:
            raise ValueError("unknown topic")
        return translate(notification, event_id)

    publisher = InMemoryPublisher()
    with pytest.raises(RelayInterrupted) as stopped:
        relay(publisher, fussy).relay([record(1), record(2), record(3)])
    assert stopped.value.index == 1
    assert isinstance(stopped.value.__cause__, ValueError)
    assert job_ids(publisher) == ["job-1"]
