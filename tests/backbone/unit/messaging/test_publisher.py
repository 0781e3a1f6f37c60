"""EventBridgePublisher against a scripted client: batching, retrying rejected entries, failing."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backbone.messaging.publisher import (
    MAX_BYTES_PER_CALL,
    EventBridgePublisher,
    InMemoryPublisher,
    PublishFailed,
    batches,
    entry_size,
)
from events.schemas import JobSubmitted, derived_event_id, to_put_events_entry

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def job_submitted(number: int, *, padding: int = 0) -> JobSubmitted:
    """A JobSubmitted whose detail grows by about `padding` bytes."""
    parameters: dict[str, Any] = {f"p{i}": "x" * 4000 for i in range(padding // 4000)}
    return JobSubmitted(
        event_id=derived_event_id("test", number),
        occurred_at=NOW,
        job_id=f"job-{number}",
        tenant_id="tenant-1",
        job_profile="train",
        cluster_profile="small",
        priority="normal",
        name=f"job {number}",
        parameters=parameters,
        timeout_seconds=60,
        submitted_at=NOW,
    )


class ScriptedEventBridge:
    """Answers PutEvents; `reject[n]` lists the entry indexes rejected in the n-th call."""

    def __init__(self, reject: Iterable[Iterable[int]] = ()) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self.reject = [set(indexes) for indexes in reject]

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        call = len(self.calls)
        self.calls.append(Entries)
        rejected = self.reject[call] if call < len(self.reject) else set()
        results = [
            {"ErrorCode": "InternalFailure", "ErrorMessage": "try again"}
            if i in rejected
            else {"EventId": f"eb-{call}-{i}"}
            for i in range(len(Entries))
        ]
        return {"FailedEntryCount": len(rejected), "Entries": results}

    def detail_ids(self, call: int) -> list[str]:
        return [json.loads(entry["Detail"])["event_id"] for entry in self.calls[call]]


def publisher(
    client: ScriptedEventBridge, delays: list[float] | None = None
) -> EventBridgePublisher:
    sleep = (delays if delays is not None else []).append
    return EventBridgePublisher(client, "bus", max_attempts=4, base_delay=0.1, sleep=sleep)


def test_given_25_events_when_published_then_3_calls_of_at_most_10_in_order() -> None:
    client = ScriptedEventBridge()
    events = [job_submitted(n) for n in range(25)]
    publisher(client).publish(events)
    assert [len(call) for call in client.calls] == [10, 10, 5]
    sent = [event_id for c in range(3) for event_id in client.detail_ids(c)]
    assert sent == [event.event_id for event in events]
    assert {entry["EventBusName"] for call in client.calls for entry in call} == {"bus"}


def test_given_events_over_256_kib_together_when_published_then_the_batch_splits_by_bytes() -> None:
    client = ScriptedEventBridge()
    events = [job_submitted(n, padding=100_000) for n in range(5)]
    publisher(client).publish(events)
    assert [len(call) for call in client.calls] == [2, 2, 1]
    assert all(sum(map(entry_size, call)) <= MAX_BYTES_PER_CALL for call in client.calls)


def test_entry_size_counts_utf8_bytes_of_the_strings_and_14_for_time() -> None:
    entry = {"Source": "s", "DetailType": "dt", "Detail": '{"a":"é"}', "Time": NOW}
    assert entry_size(entry) == 14 + 1 + 2 + len('{"a":"é"}'.encode())
    assert entry_size({**entry, "Resources": ["arn:1", "é"]}) == entry_size(entry) + 5 + 2
    del entry["Time"]
    assert entry_size(entry) == 1 + 2 + len('{"a":"é"}'.encode())


@given(st.lists(st.integers(min_value=0, max_value=100_000), max_size=40))
def test_batches_keep_order_and_stay_within_both_limits(sizes: list[int]) -> None:
    entries = [
        (str(i), {"Source": "s", "DetailType": "d", "Detail": "x" * n}) for i, n in enumerate(sizes)
    ]
    found = list(batches(entries, max_bytes=150_000))
    assert [event_id for batch in found for event_id, _ in batch] == [
        str(i) for i in range(len(sizes))
    ]
    assert all(1 <= len(batch) <= 10 for batch in found)
    assert all(sum(entry_size(e) for _, e in batch) <= 150_000 for batch in found)


def test_given_rejected_entries_when_published_then_only_those_are_sent_again() -> None:
    client = ScriptedEventBridge(reject=[{1, 3}, {1}])
    delays: list[float] = []
    events = [job_submitted(n) for n in range(5)]
    publisher(client, delays).publish(events)
    assert client.detail_ids(1) == [events[1].event_id, events[3].event_id]
    assert client.detail_ids(2) == [events[3].event_id]  # index 1 of the second call
    assert len(client.calls) == 3
    assert 0 <= delays[0] <= 0.1 and 0 <= delays[1] <= 0.2  # full jitter, doubling


def test_given_an_entry_rejected_every_time_then_publish_failed_names_it() -> None:
    client = ScriptedEventBridge(reject=[{2}, {0}, {0}, {0}])
    delays: list[float] = []
    events = [job_submitted(n) for n in range(15)]
    with pytest.raises(PublishFailed) as failed:
        publisher(client, delays).publish(events)
    assert failed.value.failures == {events[2].event_id: "InternalFailure"}
    assert failed.value.unsent == [event.event_id for event in events[10:]]
    assert failed.value.event_ids[0] == events[2].event_id
    assert len(client.calls) == 4 and len(delays) == 3
    assert all(0 <= delay <= 0.1 * 2**k for k, delay in enumerate(delays))


def test_given_an_answer_that_cannot_be_matched_then_every_entry_counts_as_rejected() -> None:
    class Unmatched(ScriptedEventBridge):
        def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
            self.calls.append(Entries)
            return {"FailedEntryCount": 1, "Entries": []}

    client = Unmatched()
    with pytest.raises(PublishFailed) as failed:
        publisher(client).publish([job_submitted(1), job_submitted(2)])
    assert set(failed.value.failures.values()) == {"UnmappedFailure"}
    assert all(len(call) == 2 for call in client.calls)


def test_given_no_events_when_published_then_no_call_is_made() -> None:
    client = ScriptedEventBridge()
    publisher(client).publish([])
    assert client.calls == []


def test_entries_are_the_registry_s_put_events_entries() -> None:
    client = ScriptedEventBridge()
    event = job_submitted(7)
    publisher(client).publish([event])
    assert client.calls == [[to_put_events_entry(event, "bus")]]


def test_in_memory_publisher_fails_the_first_calls_it_is_told_to_then_records() -> None:
    fake = InMemoryPublisher(fail_first=1)
    events = [job_submitted(1), job_submitted(2)]
    with pytest.raises(PublishFailed) as failed:
        fake.publish(events)
    assert failed.value.event_ids == [event.event_id for event in events]
    assert fake.published == []
    fake.publish(events)
    assert fake.published == events and fake.calls == 2
