"""The figures added for the dashboard: pool limits, waits per priority class, the oldest wait
now, and cluster time and cost per hour; and `as_of` answers that count only what was recorded
by then."""

from __future__ import annotations

from itertools import permutations
from typing import Any

import pytest

from monitor_service.adapters import load_price_book
from monitor_service.domain import MonitorPolicy
from tests.monitor_service import support as s


def limits(profile: str, seconds: float, minimum: int, maximum: int) -> Any:
    return s.event(
        "PoolThresholdsChanged",
        seconds,
        cluster_profile=profile,
        minimum=minimum,
        maximum=maximum,
        idle_ttl_seconds=600,
    )


def _report(events: list[Any], at: float) -> dict[str, Any]:
    world = s.World(policy=MonitorPolicy(prices=load_price_book()))
    for event in events:
        world.deliver(event)
    report: dict[str, Any] = world.app.metrics(s.at(at))
    return report


@pytest.mark.parametrize("order", list(permutations(range(3))))
def test_the_latest_announced_pool_limits_win_whatever_the_arrival_order(
    order: tuple[int, ...],
) -> None:
    announced = [limits("small", 0, 0, 4), limits("small", 60, 1, 6), limits("large", 30, 0, 2)]
    report = _report([announced[i] for i in order], 100)
    assert report["pool_minimum"] == [
        {"profile": "large", "value": 0},
        {"profile": "small", "value": 1},
    ]
    assert report["pool_maximum"] == [
        {"profile": "large", "value": 2},
        {"profile": "small", "value": 6},
    ]
    assert report["pool_idle_ttl_seconds"][0] == {"profile": "large", "value": 600}


def test_waits_per_priority_class_across_profiles_and_tenants() -> None:
    report = _report(
        [
            s.submitted("a", 0, priority="high", tenant="t1"),
            s.started("a", 30),
            s.submitted("b", 0, priority="high", tenant="t2", profile="large"),
            s.started("b", 90, tenant="t2"),
            s.submitted("c", 0, priority="low"),
        ],
        100,
    )
    (high,) = [r for r in report["priority_wait_seconds"] if r["priority"] == "high"]
    assert (high["count"], high["p50"], high["p95"], high["sum"]) == (2, 30.0, 90.0, 120.0)
    low = [r for r in report["priority_wait_seconds"] if r["priority"] == "low"]
    assert low == [{"priority": "low", "count": 0, "sum": 0.0}]


def test_the_oldest_wait_now_counts_jobs_not_started_breached_or_not() -> None:
    world = s.World()
    events = [
        s.submitted("a", 0, priority="critical"),
        s.submitted("b", 50, priority="critical"),
        s.submitted("c", 10, priority="low"),
        s.submitted("d", 0),
        s.started("d", 5),
    ]
    for event in events:
        world.deliver(event)
    world.app.tick(s.at(100))  # "a" and "b" breached their 60 s
    report = world.app.metrics(s.at(200))
    oldest = {r["priority"]: r["value"] for r in report["oldest_wait_seconds"]}
    assert oldest == {"critical": 200.0, "low": 190.0}
    world.deliver(s.started("a", 210))
    assert world.app.metrics(s.at(300))["oldest_wait_seconds"][0] == {
        "priority": "critical",
        "value": 250.0,
    }


def test_cluster_time_utilization_and_cost_per_hour() -> None:
    # A small cluster ($0.72 an hour): starting 0-600 s, READY with 2 slots from 600 s, one job
    # holding a slot 1800-5400 s (crossing the hour at 3600 s)
    report = _report(
        [
            s.requested("c-1", 0),
            s.ready("c-1", 600, slots=2),
            s.submitted("j", 1700),
            s.allocated("j", 1800),
            s.started("j", 1805),
            s.succeeded("j", 5400),
        ],
        7200,
    )
    first, second = report["hourly"]
    assert (first["hour"], second["hour"]) == (s.at(0).isoformat(), s.at(3600).isoformat())
    assert (first["starting_seconds"], first["idle_seconds"], first["busy_seconds"]) == (
        600.0,
        1200.0,
        1800.0,
    )
    assert first["utilization"] == pytest.approx(1800 / (3000 * 2), abs=1e-6)
    assert first["cost_dollars"] == pytest.approx(0.72)
    assert (second["busy_seconds"], second["idle_seconds"]) == (1800.0, 1800.0)


def test_only_the_last_24_hours_are_charted() -> None:
    report = _report([s.requested("c-1", 0), s.ready("c-1", 600)], 30 * 3600 + 1800)
    assert len(report["hourly"]) == 24
    assert report["hourly"][0]["hour"] == s.at(7 * 3600).isoformat()
    assert report["hourly"][-1]["hour"] == s.at(30 * 3600).isoformat()


def test_as_of_counts_only_what_was_recorded_by_then_and_reuses_its_replay() -> None:
    world = s.World()
    world.app.record(s.submitted("a", 0), at=s.at(10))
    world.app.record(s.submitted("b", 20), at=s.at(1000))
    # Then as of 500 s only "a" was recorded (metrics at 500 s would count "b" too: within skew)
    exact = world.app.metrics(s.at(500), exact=True)
    assert [r["value"] for r in exact["queue_depth"]] == [1]
    assert world.app.board_as_of(s.at(500)) is world.app.board_as_of(s.at(500))
    # and as of the newest record the live board answers
    assert world.app.board_as_of(s.at(1000)) is world.app.current_board()


def test_a_scheduled_pool_shows_its_effective_minimum_and_an_old_announcement_its_flat_one() -> (
    None
):
    scheduled = s.event(
        "PoolThresholdsChanged",
        60,
        cluster_profile="small",
        minimum=1,
        maximum=6,
        idle_ttl_seconds=600,
        effective_minimum=4,
        schedule_time_zone="Europe/Stockholm",
    )
    report = _report([limits("large", 0, 2, 5), scheduled], 100)
    assert report["pool_minimum"] == [
        {"profile": "large", "value": 2},
        {"profile": "small", "value": 1},
    ]
    assert report["pool_effective_minimum"] == [
        {"profile": "large", "value": 2},
        {"profile": "small", "value": 4},
    ]
    assert report["pool_scheduled"] == [
        {"profile": "large", "value": 0},
        {"profile": "small", "value": 1},
    ]


def orphan(seconds: float, name: str, profile: str | None) -> Any:
    fields = {} if profile is None else {"cluster_profile": profile}
    return s.event("OrphanStackFound", seconds, stack_name=name, **fields)


def test_orphan_stacks_found_are_counted_per_profile_and_exposed_to_prometheus() -> None:
    world = s.World(policy=MonitorPolicy(prices=load_price_book()))
    for event in (
        orphan(10, "emrcp-small-a", "small"),
        orphan(20, "emrcp-small-b", "small"),
        orphan(30, "emrcp-old", None),
    ):
        world.deliver(event)
    report = world.app.metrics(s.at(60))
    assert report["orphan_stacks_found"] == [
        {"profile": "small", "value": 2},
        {"profile": "unknown", "value": 1},
    ]
    lines = world.app.prometheus(s.at(60)).splitlines()
    assert 'emrcp_orphan_stacks_found_total{profile="small"} 2' in lines
    assert "# TYPE emrcp_orphan_stacks_found_total counter" in lines
