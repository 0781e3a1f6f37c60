"""The simulator's stores forget what nobody reads again, and nothing else."""

from __future__ import annotations

from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from backbone.eventstore import AlreadyConsumed
from simulator.platform import PlatformRun
from simulator.store import ForgetfulRecorder, Forgotten
from simulator.workload import in_memory
from tests.simulator.support import jobs, scenario


def steady(count: int) -> list[tuple[float, float]]:
    """Bursts of 4 jobs every 20 minutes and a quiet 2 hours after every 40 jobs: the pool
    grows above its MINIMUM, and the clusters started for a burst are retired after it."""
    return [(i // 4 * 1200.0 + i // 40 * 7200.0, 600.0 + 300 * (i % 3)) for i in range(count)]


def run(count: int, *, forget: bool) -> PlatformRun:
    workload = in_memory(jobs(*steady(count)))
    platform = PlatformRun(
        scenario(minimum=1, maximum=3, ttl=600), workload, forget=forget, timeline=False
    )
    platform.result = platform.run()  # type: ignore[attr-defined]
    return platform


def figures(platform: PlatformRun) -> tuple[object, ...]:
    result = platform.result  # type: ignore[attr-defined]
    return (
        round(result.cost_usd, 6),
        result.clusters_started,
        result.jobs_finished,
        tuple(result.waits.by_class["critical"].cdf()[0]),
        platform.bus.delivered,
        platform.stored_events(),
    )


def kept(platform: PlatformRun) -> int:
    return sum(f.recorder.histories.kept() for f in platform.forgetting)


def test_forgetting_changes_no_figure_and_keeps_what_is_live() -> None:
    forgetful, keeping = run(300, forget=True), run(300, forget=False)
    assert figures(forgetful) == figures(keeping)
    assert (forgetful.bus.retried, forgetful.bus.dead_letters) == (0, 0)
    assert kept(forgetful) < forgetful.stored_events() / 10
    assert all(f.dropped for f in forgetful.forgetting)
    assert any(f.compacted for f in forgetful.forgetting)


def test_what_the_stores_keep_does_not_grow_with_the_log() -> None:
    short, long = run(150, forget=True), run(600, forget=True)
    assert long.stored_events() > 3.5 * short.stored_events()
    assert kept(long) < 2 * kept(short) + 200


def stored(version: int, aggregate: object = None) -> StoredEvent:
    return StoredEvent(aggregate or uuid4(), version, "t", b"{}")  # type: ignore[arg-type]


def test_a_reader_behind_the_forgotten_log_is_told_so() -> None:
    recorder = ForgetfulRecorder()
    assert recorder.insert_events([stored(1), stored(1), stored(1)]) == [1, 2, 3]
    recorder.forget_log(2)
    assert [n.id for n in recorder.select_notifications(start=3, limit=10)] == [3]
    with pytest.raises(Forgotten):
        recorder.select_notifications(start=2, limit=10)
    assert recorder.insert_events([stored(1)]) == [4]
    assert recorder.max_notification_id() == 4


def test_a_truncated_history_keeps_its_newer_events_and_rejects_duplicates() -> None:
    recorder = ForgetfulRecorder()
    aggregate = uuid4()
    recorder.insert_events([stored(v, aggregate) for v in range(1, 6)])
    recorder.histories.truncate(aggregate, 3)
    assert [s.originator_version for s in recorder.select_events(aggregate)] == [4, 5]
    assert [s.originator_version for s in recorder.select_events(aggregate, gt=4)] == [5]
    with pytest.raises(IntegrityError):
        recorder.insert_events([stored(5, aggregate)])


def test_consumed_markers_outlive_a_redelivery_then_go() -> None:
    recorder = ForgetfulRecorder()
    recorder.insert_events([stored(1)], consumed=["m-1"])
    with pytest.raises(AlreadyConsumed):
        recorder.insert_events([stored(1)], consumed=["m-1"])
    recorder.forget_markers()
    assert recorder.is_consumed("m-1")  # recorded this round: kept through the next
    recorder.forget_markers()
    assert not recorder.is_consumed("m-1")
