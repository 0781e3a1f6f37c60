"""Invariant 8: however often and in whatever order events arrive, a consumer's state is the same.

The contract is "the state is a function of the SET of distinct events", because SQS standard
queues and EventBridge neither order nor deduplicate deliveries: a state that depended on order
would be a bug in any consumer. The test consumer keeps a tally per job (and per EMR step) of the
facts it saw, a multiset: order-independent by design, yet duplicate-SENSITIVE (a second
application of an event adds a second entry and bumps the aggregate's version). So only the
consumed marker, written in the same transaction as the change, keeps the states equal: the
property proves the marker, not a forgiving state.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder
from hypothesis import given, settings
from hypothesis import strategies as st

from backbone.eventstore import AlreadyConsumed
from backbone.messaging.consumer import AwsEvent, Consumer
from events.schemas import JobAllocated, to_envelope
from local_runtime.emulator import Emulator
from tests.support import fresh_table

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
STEP = "EMR Step Status Change"
State = dict[str, tuple[int, tuple[str, ...]]]


class Tally(Aggregate):
    """The facts seen about one key, as a multiset (duplicate-sensitive on purpose)."""

    @staticmethod
    def create_id(key: str) -> UUID:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"tally/{key}")

    def __init__(self, key: str) -> None:
        self.key = key
        self.facts: list[str] = []

    @event("FactSeen")
    def see(self, fact: str) -> None:
        self.facts.append(fact)


class Tallies(Application[UUID]):
    """A consumer's application: one get, one call, one save with `consumed`."""

    def record(self, key: str, fact: str, consumed_id: str) -> None:
        try:
            tally = self.repository.get(Tally.create_id(key))
        except AggregateNotFoundError:
            tally = Tally(key)
        tally.see(fact)
        self.save(tally, consumed=[consumed_id])

    def on_allocated(self, allocated: JobAllocated) -> None:
        fact = f"attempt {allocated.attempt} on {allocated.cluster_id}"
        self.record(allocated.job_id, fact, allocated.event_id)

    def on_step(self, step: AwsEvent[Any]) -> None:
        self.record(f"step/{step.detail.step_id}", step.detail.state, step.event_id)

    def state(self, keys: Sequence[str]) -> State:
        tallies = (self.repository.get(Tally.create_id(key)) for key in sorted(set(keys)))
        return {t.key: (t.version, tuple(sorted(t.facts))) for t in tallies}

    def consumer(self) -> Consumer:
        return Consumer({"JobAllocated": self.on_allocated, STEP: self.on_step})


class MarkerRecorder(POPOApplicationRecorder):
    """In memory, with backbone.eventstore's `consumed` semantics: markers commit with events."""

    def __init__(self) -> None:
        super().__init__()
        self.consumed: set[str] = set()

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        consumed = list(kwargs.pop("consumed", ()))
        with self._database_lock:
            seen = [key for key in consumed if key in self.consumed]
            if seen:
                raise AlreadyConsumed(seen)
            ids = super().insert_events(stored_events, **kwargs)
            self.consumed.update(consumed)
            return ids

    def is_consumed(self, consumed_id: str) -> bool:
        return consumed_id in self.consumed


class InMemoryTallies(Tallies):
    def construct_recorder(self) -> ApplicationRecorder:
        return MarkerRecorder()


def allocated(event_id: str, job: str, attempt: int) -> JobAllocated:
    return JobAllocated(
        event_id=event_id,
        occurred_at=NOW,
        job_id=job,
        tenant_id="t",
        cluster_id=f"c-{attempt}",
        cluster_profile="small",
        attempt=attempt,
        slot=0,
    )


def step(envelope_id: str, step_id: str, state: str) -> dict[str, Any]:
    detail = {"clusterId": "j-ABC", "stepId": step_id, "state": state}
    return {
        "version": "0",
        "id": envelope_id,
        "detail-type": STEP,
        "source": "aws.emr",
        "time": "2026-03-01T12:00:00Z",
        "region": "us-east-1",
        "detail": detail,
    }


def delivery(item: JobAllocated | dict[str, Any]) -> str:
    """One delivery's body. A re-published integration event gets a new envelope id (PutEvents
    assigns one per call) but keeps its event_id; an AWS event's envelope id is its identity."""
    if isinstance(item, dict):
        return json.dumps(item)
    return json.dumps(to_envelope(item, account=None, envelope_id=str(uuid.uuid4())))


def keys(items: Sequence[JobAllocated | dict[str, Any]]) -> list[str]:
    return [
        i.job_id if isinstance(i, JobAllocated) else f"step/{i['detail']['stepId']}" for i in items
    ]


def consumed_ids(items: Sequence[JobAllocated | dict[str, Any]]) -> list[str]:
    return [i.event_id if isinstance(i, JobAllocated) else i["id"] for i in items]


def deliver(app: Tallies, bodies: Sequence[str], batch_sizes: Sequence[int] = (10,)) -> None:
    """Through handle_sqs_event in batches of the given sizes (cycled); nothing may fail."""
    consumer, start, sizes = app.consumer(), 0, list(batch_sizes)
    while start < len(bodies):
        size = sizes[start % len(sizes)]
        records = [
            {"messageId": str(i), "body": b} for i, b in enumerate(bodies[start : start + size])
        ]
        assert consumer.handle_sqs_event({"Records": records}) == {"batchItemFailures": []}
        start += size


ALLOCATIONS = st.builds(
    allocated, st.uuids().map(str), st.sampled_from(["job-a", "job-b", "job-c"]), st.integers(1, 3)
)
STEPS = st.builds(
    step,
    st.uuids().map(str),
    st.sampled_from(["s-1", "s-2"]),
    st.sampled_from(["RUNNING", "COMPLETED", "FAILED"]),
)
EVENTS = st.lists(
    st.one_of(ALLOCATIONS, STEPS),
    min_size=1,
    max_size=8,
    unique_by=lambda e: consumed_ids([e])[0],
)


@settings(max_examples=50, deadline=None)
@given(events=EVENTS, data=st.data())
def test_any_redelivery_in_any_order_leaves_the_state_of_one_delivery_each(
    events: list[JobAllocated | dict[str, Any]], data: st.DataObject
) -> None:
    # Given each event delivered once, in order, to one consumer
    once = InMemoryTallies()
    deliver(once, [delivery(e) for e in events])

    # When another gets each one to three times, shuffled, in batches of any size
    copies = [e for e in events for _ in range(data.draw(st.integers(1, 3)))]
    shuffled = data.draw(st.permutations(copies))
    sizes = data.draw(st.lists(st.integers(1, 10), min_size=1, max_size=4))
    again = InMemoryTallies()
    deliver(again, [delivery(e) for e in shuffled], sizes)

    # Then both are in the same state
    assert again.state(keys(events)) == once.state(keys(events))


def test_on_dynamodb_duplicates_change_nothing(emulator: Emulator) -> None:
    # Given a consumer on the real DynamoDB recorder in the emulator
    env = {
        "PERSISTENCE_MODULE": "backbone.eventstore",
        "DYNAMODB_TABLE": fresh_table(),
        "DYNAMODB_ENDPOINT_URL": emulator.endpoint_url,
    }
    app = Tallies(env=env)
    events: list[JobAllocated | dict[str, Any]] = [
        allocated(str(uuid.uuid4()), "job-a", 1),
        allocated(str(uuid.uuid4()), "job-a", 2),
        allocated(str(uuid.uuid4()), "job-b", 1),
        step(str(uuid.uuid4()), "s-1", "COMPLETED"),
    ]
    once = InMemoryTallies()
    deliver(once, [delivery(e) for e in events])

    # When every event arrives three times, shuffled
    copies = [delivery(e) for e in events for _ in range(3)]
    random.Random(8).shuffle(copies)
    deliver(app, copies, [4])

    # Then the state is that of one delivery each, and only one save per event was written
    assert app.state(keys(events)) == once.state(keys(events))
    assert app.recorder.max_notification_id() == once.recorder.max_notification_id()
    recorder: Any = app.recorder
    assert all(recorder.is_consumed(key) for key in consumed_ids(events))


def test_on_dynamodb_is_consumed_skips_known_duplicates_before_the_handler(
    emulator: Emulator,
) -> None:
    env = {
        "PERSISTENCE_MODULE": "backbone.eventstore",
        "DYNAMODB_TABLE": fresh_table(),
        "DYNAMODB_ENDPOINT_URL": emulator.endpoint_url,
    }
    app, calls = Tallies(env=env), []
    recorder: Any = app.recorder

    def counted(event: JobAllocated) -> None:
        calls.append(event.event_id)
        app.on_allocated(event)

    consumer = Consumer({"JobAllocated": counted}, is_consumed=recorder.is_consumed)
    body = delivery(allocated(str(uuid.uuid4()), "job-a", 1))

    consumer.handle_message_body(body)
    consumer.handle_message_body(body)

    assert len(calls) == 1
