"""Replay: every read model rebuilt from the audit log equals the live one, at any past time."""

from __future__ import annotations

from typing import Any

from bench.monitor_scenario import generate
from monitor_service.application import MonitorBoard
from monitor_service.domain import AuditQuery
from tests.monitor_service import support as s

DELAY = 0.5
"""Seconds from an event's publication to its delivery to the monitor."""


def _run(world: s.World, events: list[tuple[float, Any]], until: float) -> None:
    """Deliver each event DELAY after it happened, ticking every 60 s, up to `until`."""
    next_tick = 60.0
    for seconds, event in events:
        if seconds + DELAY > until:
            break
        while next_tick <= seconds + DELAY:
            world.set(next_tick)
            world.app.tick(world.now)
            next_tick += 60
        world.set(seconds + DELAY)
        world.deliver(event)
    while next_tick <= until:
        world.set(next_tick)
        world.app.tick(world.now)
        next_tick += 60


def _state(board: MonitorBoard, seconds: float) -> dict[str, Any]:
    """Everything the board answers at a time: metrics, health, the whole audit log."""
    page = board.audit.page(AuditQuery(limit=1000))
    records: list[str] = []
    while True:
        records += [r.event_id for r in page.records]
        if page.next_cursor is None:
            break
        page = board.audit.page(AuditQuery(limit=1000, after=page.next_cursor))
    return {
        "metrics": board.metrics(s.at(seconds)),
        "health": board.health(s.at(seconds)),
        "records": records,
    }


def test_replaying_the_log_rebuilds_every_read_model_as_the_live_one() -> None:
    # Given a monitor that followed 2.5 hours of a busy platform, ticking each minute
    events = generate(jobs=150, seed=3)
    end = events[-1][0] + 120
    world = s.World()
    _run(world, events, end)
    live = world.app.current_board()
    # When every read model is rebuilt from the audit log
    replayed = world.app.replay()
    # Then it answers exactly as the live one, and the run exercised every model
    assert _state(replayed, end) == _state(live, end)
    metrics = live.metrics(s.at(end))
    assert metrics["sla_breaches"] and metrics["tenant_cost_dollars"]
    assert {"failed", "terminated"} <= {row["state"] for row in metrics["clusters"]}
    assert "ClusterUnhealthy" in world.published_types()
    assert "ServiceUnhealthy" in world.published_types()  # its own beats never come back here


def test_the_log_as_of_a_past_time_equals_a_monitor_that_saw_only_that_much() -> None:
    events = generate(jobs=150, seed=3)
    end = events[-1][0] + 120
    midpoint = round(end / 2) + 0.25
    # Given one monitor that saw everything, and one that stopped at the midpoint
    everything, half = s.World(), s.World()
    _run(everything, events, end)
    _run(half, events, midpoint)
    # When the first replays its log as of the midpoint
    as_of = everything.app.replay(as_of=s.at(midpoint))
    # Then it holds what the second holds, and metrics() of that time answer from it
    assert _state(as_of, midpoint) == _state(half.app.current_board(), midpoint)
    assert everything.app.metrics(s.at(midpoint)) == half.app.metrics(s.at(midpoint))
    assert everything.app.health(s.at(midpoint)) == half.app.health(s.at(midpoint))
    assert as_of.metrics(s.at(midpoint)) != everything.app.metrics(s.at(end))


def test_as_of_keeps_what_was_recorded_by_then_even_from_a_writer_whose_clock_lags() -> None:
    # Given entries recorded at 100 s, then at 50 s (a writer whose clock lags), then at 1000 s
    world = s.World()
    for recorded, event in (
        (100, s.submitted("a", 90)),
        (50, s.submitted("b", 40)),
        (1000, s.submitted("c", 990)),
    ):
        world.app.record(event, at=s.at(recorded))
    # Then the log as of 60 s holds only the entry recorded at 50 s, and as of 100 s both
    assert [r.job_id for r in world.app.replay(as_of=s.at(60)).audit.timeline("b")] == ["b"]
    assert len(world.app.replay(as_of=s.at(60)).audit) == 1
    assert len(world.app.replay(as_of=s.at(100)).audit) == 2
    assert len(world.app.replay(as_of=s.at(999)).audit) == 2
