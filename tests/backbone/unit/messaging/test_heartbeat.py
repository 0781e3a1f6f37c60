"""backbone.heartbeat: a service process's beats, stored in its own event store and relayed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import Application

from backbone.heartbeat import Beacon, Heartbeats, heartbeat_of, instance_id_from
from events.schemas import Heartbeat

T0 = datetime(2026, 11, 24, 12, tzinfo=UTC)
MEMORY = {"PERSISTENCE_MODULE": "backbone.eventstore.memory"}


def beats_in(app: Application[UUID]) -> list[Beacon.Beat]:
    events = [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(1, 100)]
    return [e for e in events if isinstance(e, Beacon.Beat)]


def test_each_beat_is_one_stored_event_with_the_next_sequence_number() -> None:
    app: Application[UUID] = Application(env=MEMORY)
    heartbeats = Heartbeats("job-service", "i-1")
    # When the process beats three times
    sequences = [heartbeats.beat(app, T0 + timedelta(seconds=s)) for s in (0, 60, 120)]
    # Then each beat is stored, numbered 1, 2, 3, at its own time
    assert sequences == [1, 2, 3]
    beats = beats_in(app)
    assert [(b.sequence, b.timestamp) for b in beats] == [
        (1, T0),
        (2, T0 + timedelta(seconds=60)),
        (3, T0 + timedelta(seconds=120)),
    ]


def test_a_process_that_restarts_under_the_same_id_goes_on_counting() -> None:
    app: Application[UUID] = Application(env=MEMORY)
    Heartbeats("cluster-service", "i-1").beat(app, T0)
    # When a new Heartbeats for the same instance beats (it reads the beacon once)
    again = Heartbeats("cluster-service", "i-1")
    # Then the sequence goes on from the stored one
    assert again.beat(app, T0 + timedelta(seconds=60)) == 2
    assert again.beat(app, T0 + timedelta(seconds=120)) == 3


def test_a_beat_that_cannot_be_saved_is_skipped_and_the_next_one_is_saved() -> None:
    app: Application[UUID] = Application(env=MEMORY)
    heartbeats = Heartbeats("job-service", "i-1")
    heartbeats.beat(app, T0)
    original = app.save
    calls = {"n": 0}

    def failing_once(*aggregates: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("DynamoDB is unreachable")
        return original(*aggregates, **kwargs)

    app.save = failing_once  # type: ignore[method-assign]
    # When the store refuses one beat
    assert heartbeats.beat(app, T0 + timedelta(seconds=60)) is None
    # Then the next beat is saved, with the sequence number the lost one would have had
    assert heartbeats.beat(app, T0 + timedelta(seconds=120)) == 2
    assert [b.sequence for b in beats_in(app)] == [1, 2]


@pytest.mark.parametrize("service", ["job-service", "cluster-service"])
def test_a_stored_beat_is_published_as_a_heartbeat_under_the_services_own_source(
    service: Any,
) -> None:
    app: Application[UUID] = Application(env=MEMORY)
    Heartbeats(service, "i-9").beat(app, T0)
    event = heartbeat_of(beats_in(app)[0], "3f1c2e64-0d6c-4a59-9a3a-000000000001")
    assert isinstance(event, Heartbeat)
    assert (event.service, event.instance_id, event.sequence) == (service, "i-9", 1)
    assert event.occurred_at == T0
    assert event.bus_source == f"emr-control-plane.{service}"


def test_the_instance_id_comes_from_the_environment_or_lambdas_log_stream() -> None:
    assert instance_id_from({"INSTANCE_ID": "runner-1"}) == "runner-1"
    stream = "2026/11/24/[$LATEST]0123abcd"
    assert instance_id_from({"AWS_LAMBDA_LOG_STREAM_NAME": stream}) == stream
    assert instance_id_from({"INSTANCE_ID": " a b "}) == "ab"
    assert instance_id_from({}) is None
