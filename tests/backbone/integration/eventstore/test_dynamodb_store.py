"""The DynamoDB event store beyond the library's suites: races, limits, snapshots, start-up."""

from __future__ import annotations

import threading
from collections import Counter as Tally
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError, StoredEvent

from backbone.eventstore import (
    AlreadyConsumed,
    DynamoDBApplicationRecorder,
    DynamoDBFactory,
    EventStoreTableError,
    TooManyEventsError,
)
from local_runtime.emulator import Emulator


class Counter(Aggregate):
    def __init__(self) -> None:
        self.count = 0
        self.sizes: list[int] = []

    @event("Incremented")
    def increment(self, by: int) -> None:
        self.count += by
        self.sizes.append(by)


class Counters(Application[Any]):
    snapshotting_intervals = {Counter: 50}  # noqa: RUF012 - eventsourcing reads it per class


def _env(emulator: Emulator, table: str, **extra: str) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "backbone.eventstore",
        "DYNAMODB_TABLE": table,
        "DYNAMODB_ENDPOINT_URL": emulator.endpoint_url,
        **extra,
    }


def _stored(oid: Any, version: int) -> StoredEvent:
    return StoredEvent(originator_id=oid, originator_version=version, topic="t", state=b"{}")


def test_racing_saves_of_one_aggregate_have_one_winner_per_version(emulator, table) -> None:
    # Given 8 writers that all loaded version 1 of the same aggregate, over 10 rounds
    recorder = DynamoDBApplicationRecorder(_client(emulator), table)
    oid = uuid4()
    recorder.insert_events([_stored(oid, 1)])
    outcomes: Tally[str] = Tally()
    for version in range(2, 12):
        start = threading.Barrier(8)

        def save(writer: int, version: int = version, start: threading.Barrier = start) -> None:
            mine = StoredEvent(oid, version, "t", f'{{"writer": {writer}}}'.encode())
            start.wait()
            try:
                recorder.insert_events([mine])
                outcomes[f"won-{version}"] += 1
            except IntegrityError:
                outcomes["lost"] += 1

        # When they all save the next version at once
        threads = [threading.Thread(target=save, args=(w,)) for w in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    # Then exactly one wins each version, the rest get IntegrityError, nothing is overwritten
    assert all(outcomes[f"won-{v}"] == 1 for v in range(2, 12))
    assert outcomes["lost"] == 7 * 10
    stored = recorder.select_events(oid)
    assert [e.originator_version for e in stored] == list(range(1, 12))
    log = recorder.select_notifications(start=None, limit=100)
    assert [n.id for n in log] == list(range(1, 12))
    assert [n.state for n in log] == [e.state for e in stored]


def test_a_save_larger_than_one_transaction_is_refused_and_writes_nothing(emulator, table) -> None:
    recorder = DynamoDBApplicationRecorder(_client(emulator), table)
    oid = uuid4()
    with pytest.raises(TooManyEventsError, match="at most 100 items"):
        recorder.insert_events([_stored(oid, v) for v in range(50)])
    assert recorder.select_events(oid) == []
    assert recorder.max_notification_id() is None


def test_reads_paginate_past_one_page(emulator, table) -> None:
    recorder = DynamoDBApplicationRecorder(_client(emulator), table)
    oid = uuid4()
    for first in range(0, 120, 40):
        recorder.insert_events([_stored(oid, v) for v in range(first, first + 40)])
    original_query = recorder.client.query
    pages: list[int] = []

    def small_pages(**request: Any) -> Any:
        request["Limit"] = min(request.get("Limit", 25), 25)
        answer = original_query(**request)
        pages.append(len(answer["Items"]))
        return answer

    recorder.client.query = small_pages  # type: ignore[method-assign]
    assert [e.originator_version for e in recorder.select_events(oid)] == list(range(120))
    assert len(pages) >= 5
    assert len(recorder.select_notifications(start=None, limit=110)) == 110
    assert [e.originator_version for e in recorder.select_events(oid, gt=10, lte=13)] == [
        11,
        12,
        13,
    ]
    assert [e.originator_version for e in recorder.select_events(oid, desc=True, limit=2)] == [
        119,
        118,
    ]


def test_numbers_come_back_as_ints(emulator, table) -> None:
    app = Counters(env=_env(emulator, table))
    counter = Counter()
    counter.increment(by=3)
    app.save(counter)
    again = app.repository.get(counter.id)
    assert again.count == 3 and type(again.count) is int
    assert type(again.version) is int
    assert all(type(n.id) is int for n in app.recorder.select_notifications(None, 10))


def test_snapshots_bound_what_a_load_reads(emulator, table) -> None:
    # Given an aggregate with 120 events and a snapshot every 50
    app = Counters(env=_env(emulator, table))
    counter = Counter()
    app.save(counter)
    for _ in range(119):
        counter.increment(by=1)
        app.save(counter)
    meter = app.factory.meter  # type: ignore[attr-defined]
    meter.reset()
    # When it is loaded
    loaded = app.repository.get(counter.id)
    # Then it is whole, and the load read the latest snapshot and the few events after it
    assert loaded.count == 119 and loaded.version == 120
    assert meter.snapshot() == {"dynamodb.Query": 2}
    snapshots = app.snapshots.recorder.select_events(counter.id)  # type: ignore[union-attr]
    assert [s.originator_version for s in snapshots] == [50, 100]


def test_a_warm_save_is_one_request(emulator, table) -> None:
    app = Counters(env=_env(emulator, table))
    counter = Counter()
    app.save(counter)
    meter = app.factory.meter  # type: ignore[attr-defined]
    meter.reset()
    for _ in range(5):
        counter.increment(by=1)
        app.save(counter)
    assert meter.snapshot() == {"dynamodb.TransactWriteItems": 5}


def test_a_consumed_event_is_answered_once(emulator, table) -> None:
    app = Counters(env=_env(emulator, table))
    counter = Counter()
    app.save(counter, consumed=["evt-1"])
    counter.increment(by=5)
    with pytest.raises(AlreadyConsumed) as raised:
        app.save(counter, consumed=["evt-1"])
    assert raised.value.keys == ["evt-1"]
    assert app.repository.get(counter.id).count == 0
    assert app.recorder.is_consumed("evt-1")  # type: ignore[attr-defined]
    assert not app.recorder.is_consumed("evt-2")  # type: ignore[attr-defined]


def test_a_missing_table_fails_at_start_up_naming_table_and_setting(emulator) -> None:
    with pytest.raises(EventStoreTableError) as raised:
        Counters(env=_env(emulator, "no-such-table"))
    message = str(raised.value)
    assert "'no-such-table'" in message and "COUNTERS_DYNAMODB_TABLE or DYNAMODB_TABLE" in message


def test_a_table_of_the_wrong_shape_fails_at_start_up(emulator, dynamodb) -> None:
    dynamodb.create_table(
        TableName="wrong-shape",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    with pytest.raises(EventStoreTableError, match=r"'wrong-shape'.*not an event-store table"):
        DynamoDBFactory({"DYNAMODB_TABLE": "wrong-shape", **_endpoint(emulator)})


def test_no_table_setting_names_the_setting() -> None:
    with pytest.raises(EventStoreTableError, match=r"set DYNAMODB_TABLE"):
        DynamoDBFactory({})


def _endpoint(emulator: Emulator) -> dict[str, str]:
    return {"DYNAMODB_ENDPOINT_URL": emulator.endpoint_url}


def _client(emulator: Emulator) -> Any:
    from local_runtime.emulator import client

    return client("dynamodb", emulator.endpoint_url)
