"""The relay on moto when PutEvents or the poller fails: nothing is lost, ids are kept."""

from __future__ import annotations

import threading
import time

import pytest

from backbone.messaging.publisher import PublishFailed
from events.schemas import IntegrationEvent
from local_runtime.emulator import Emulator
from local_runtime.positions import DynamoDBPositions
from tests.backbone.integration.messaging.test_relay_stream import EventsSpy, Service


@pytest.fixture
def service(emulator: Emulator) -> Service:
    return Service.create(emulator.endpoint_url)


def test_a_crash_before_the_position_is_recorded_republishes_with_the_same_id(
    service: Service,
) -> None:
    # Given an event relayed by a poller that crashes before recording its position
    service.jobs.submit("a")
    with pytest.raises(RuntimeError, match="crashed"):
        service.poller(crashes=1).poll_once()
    # When a new poller starts
    assert service.poller().poll_once() == 1
    # Then the event is published again with the same id, and not a third time
    first, again = service.tap.received()
    assert first == again == service.expected()[0]
    assert service.poller().poll_once() == 0


def test_entries_put_events_rejects_once_are_retried_and_none_is_lost(service: Service) -> None:
    # Given EventBridge rejects entries 0 and 2 of the first PutEvents
    spy = EventsSpy(service.tap.events, lambda call, index: call == 0 and index in {0, 2})
    service.jobs.submit("a", "b", "c", "d", "e")
    # When the poller relays
    assert service.poller(spy).poll_once() == 5
    # Then the rejected two were sent again, alone, and all five arrived once
    assert [len(call) for call in spy.calls] == [5, 2]
    received = service.tap.received()
    assert sorted(e.event_id for e in received) == sorted(e.event_id for e in service.expected())


def test_a_permanent_rejection_raises_and_the_position_does_not_advance(service: Service) -> None:
    service.jobs.submit("a", "b")
    spy = EventsSpy(service.tap.events, lambda call, index: True)
    with pytest.raises(PublishFailed):
        service.poller(spy).poll_once()
    shard_id, _ = service.stream_records()
    assert DynamoDBPositions(service.clients()[0], service.table).get(shard_id) is None
    assert service.tap.received() == []
    assert service.poller().poll_once() == 2  # once EventBridge accepts again, all go out


def test_a_recorded_position_never_moves_back(service: Service) -> None:
    positions = DynamoDBPositions(service.clients()[0], service.table)
    positions.save("shard-1", "1100000000017454423012")
    positions.save("shard-1", "1100000000017454423011")  # a slower poller, behind
    assert positions.get("shard-1") == "1100000000017454423012"
    positions.save("shard-1", "99900000000017454423013")  # more digits: further on
    assert positions.get("shard-1") == "99900000000017454423013"


def test_run_logs_a_failed_poll_and_relays_again_until_stopped(service: Service) -> None:
    # Given a running poller whose first position write crashes
    service.jobs.submit("a")
    poller, stop = service.poller(crashes=1), threading.Event()
    thread = threading.Thread(target=poller.run, args=(stop, 0.01))
    thread.start()
    # When it has been given time to poll again
    received: list[IntegrationEvent] = []
    deadline = time.monotonic() + 10
    while len(received) < 2 and time.monotonic() < deadline:
        received += service.tap.received()
        time.sleep(0.01)
    stop.set()
    thread.join(timeout=5)
    # Then it kept running, republished the event with its id, and stopped when told
    assert received == service.expected() * 2
    assert not thread.is_alive()
