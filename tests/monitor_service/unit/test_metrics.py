"""Metrics on a small scenario computed by hand.

One "small" cluster (2 slots, $0.72 an hour: 3 x m5.xlarge at $0.192 + $0.048 EMR):
requested at 0 s, READY at 300 s, decommissioning at 2700 s, terminated at 2820 s. Jobs:
  A (t1, high)   submitted 0,    allocated 300 (slot 0), started 310,  succeeded 1500
  B (t2, normal) submitted 60,   allocated 300 (slot 1), started 305,  succeeded 900
  C (t1, high)   submitted 1000, allocated 1510 (slot 0), started 1520, succeeded 2100
Cluster time: starting 300 s; busy 300-900 (A, B), 900-1500 (A), 1510-2100 (C) = 1790 s, of
which t1 300 + 600 + 590 = 1490 s and t2 300 s; idle 1500-1510, 2100-2700, and 2700-2820
decommissioning = 730 s. Slots: READY 300-2700 = 2400 s x 2 = 4800 slot-s, held 1200 + 600 +
590 = 2390 slot-s. At $0.0002 a second: total 2820 s = $0.564; direct t1 $0.298, t2 $0.06;
shared (300 + 730 s = $0.206) t1 0.206 x 1490/1790, t2 0.206 x 300/1790.
"""

from __future__ import annotations

from typing import Any

import pytest

from monitor_service.adapters import load_price_book
from monitor_service.domain import MonitorPolicy
from monitor_service.domain.stats import Samples, nearest_rank
from tests.monitor_service import support as s

SCENARIO = [
    s.requested("c-1", 0),
    s.submitted("A", 0, tenant="t1", priority="high"),
    s.submitted("B", 60, tenant="t2"),
    s.ready("c-1", 300, slots=2),
    s.allocated("A", 300, slot=0),
    s.allocated("B", 300, slot=1, tenant="t2"),
    s.started("B", 305, tenant="t2"),
    s.started("A", 310),
    s.succeeded("B", 900, tenant="t2"),
    s.submitted("C", 1000, tenant="t1", priority="high"),
    s.succeeded("A", 1500),
    s.allocated("C", 1510, slot=0),
    s.started("C", 1520),
    s.succeeded("C", 2100),
    s.decommissioning("c-1", 2700),
    s.terminated("c-1", 2820),
]


def _world() -> s.World:
    world = s.World(policy=MonitorPolicy(prices=load_price_book()))
    for event in SCENARIO:
        world.set(event.occurred_at.timestamp() - s.T0.timestamp())
        world.deliver(event)
    return world


def _rows(metrics: dict[str, Any], section: str, **labels: str) -> list[dict[str, Any]]:
    return [r for r in metrics[section] if all(r.get(k) == v for k, v in labels.items())]


def _value(metrics: dict[str, Any], section: str, **labels: str) -> Any:
    (row,) = _rows(metrics, section, **labels)
    return row["value"]


@pytest.fixture(scope="module")
def metrics() -> dict[str, Any]:
    found: dict[str, Any] = _world().app.metrics(s.at(3600))
    return found


def test_waits_and_cycle_times_per_profile_priority_and_tenant(metrics: dict[str, Any]) -> None:
    (high,) = _rows(metrics, "wait_seconds", tenant="t1")
    assert high == {
        "profile": "small",
        "priority": "high",
        "tenant": "t1",
        "count": 2,
        "sum": 830.0,
        "p50": 310.0,
        "p95": 520.0,
        "p99": 520.0,
    }
    (normal,) = _rows(metrics, "wait_seconds", tenant="t2")
    assert (normal["p50"], normal["p99"]) == (245.0, 245.0)
    (cycle,) = _rows(metrics, "cycle_seconds", tenant="t1")
    assert (cycle["count"], cycle["sum"], cycle["p50"]) == (2, 2600.0, 1100.0)


def test_queue_depth_throughput_and_outcomes(metrics: dict[str, Any]) -> None:
    assert [r["value"] for r in metrics["queue_depth"]] == [0, 0]
    assert _value(metrics, "jobs_finished_last_hour", tenant="t1") == 2
    assert _value(metrics, "jobs_finished", tenant="t2", outcome="succeeded") == 1
    world = _world()
    at_1200 = world.app.metrics(s.at(1200))
    assert _value(at_1200, "queue_depth", tenant="t1") == 1  # C waits
    assert _value(world.app.metrics(s.at(2100 + 3600)), "jobs_finished_last_hour", tenant="t1") == 0


def test_cluster_minutes_utilization_and_states(metrics: dict[str, Any]) -> None:
    seconds = {r["phase"]: r["value"] for r in metrics["cluster_seconds"]}
    assert seconds == {"starting": 300.0, "idle": 730.0, "busy": 1790.0}
    assert _value(metrics, "slot_utilization", profile="small") == round(2390 / 4800, 6)
    assert metrics["clusters"] == [{"profile": "small", "state": "terminated", "value": 1}]


def test_cost_per_profile_and_per_tenant(metrics: dict[str, Any]) -> None:
    assert _value(metrics, "cluster_hourly_dollars", profile="small") == 0.72
    assert _value(metrics, "cost_dollars", profile="small") == pytest.approx(0.564)
    cost = {(r["tenant"], r["kind"]): r["value"] for r in metrics["tenant_cost_dollars"]}
    assert cost == pytest.approx(
        {
            ("t1", "direct"): 0.298,
            ("t1", "shared"): 0.206 * 1490 / 1790,
            ("t2", "direct"): 0.06,
            ("t2", "shared"): 0.206 * 300 / 1790,
        },
        abs=1e-6,
    )
    assert sum(cost.values()) == pytest.approx(0.564)
    assert metrics["unallocated_cost_dollars"] == []


def test_a_running_cluster_counts_up_to_the_time_asked_and_idle_hours_stay_unallocated() -> None:
    world = s.World(policy=MonitorPolicy(prices=load_price_book()))
    for event in (s.requested("c-9", 0, "large"), s.ready("c-9", 600, "large", slots=2)):
        world.deliver(event)
    metrics = world.app.metrics(s.at(3600))
    assert {r["phase"]: r["value"] for r in metrics["cluster_seconds"]} == {
        "starting": 600.0,
        "idle": 3000.0,
        "busy": 0.0,
    }
    assert _value(metrics, "unallocated_cost_dollars", profile="large") == pytest.approx(10.56)
    assert metrics["slots"] == [
        {"profile": "large", "state": "busy", "value": 0},
        {"profile": "large", "state": "free", "value": 2},
    ]


def test_overhead_is_shared_within_its_hour_only() -> None:
    # Hour 0: t1 busy 600 s, idle 3000 s; hour 1: t2 busy 1200 s, idle 2400 s
    world = s.World(policy=MonitorPolicy(prices=load_price_book()))
    for event in (
        s.ready("c-1", 0),
        s.allocated("A", 0),
        s.succeeded("A", 600),
        s.allocated("B", 3600, tenant="t2"),
        s.succeeded("B", 4800, tenant="t2"),
    ):
        world.deliver(event)
    cost = {
        (r["tenant"], r["kind"]): r["value"]
        for r in world.app.metrics(s.at(7200))["tenant_cost_dollars"]
    }
    assert cost == pytest.approx(
        {
            ("t1", "direct"): 0.12,
            ("t1", "shared"): 0.6,
            ("t2", "direct"): 0.24,
            ("t2", "shared"): 0.48,
        }
    )


def test_an_unpriced_profile_is_listed_and_costs_nothing() -> None:
    world = s.World()
    world.deliver(s.ready("c-1", 0, profile="gpu"))
    metrics = world.app.metrics(s.at(60))
    assert metrics["unpriced_profile"] == [{"profile": "gpu", "value": 1}]
    assert metrics["cost_dollars"] == []


def test_nearest_rank_percentiles() -> None:
    samples = Samples()
    for value in range(100, 0, -1):
        samples.add(value)
    assert [samples.percentile(p) for p in (50, 95, 99, 100)] == [50, 95, 99, 100]
    samples.remove(100)
    assert samples.percentile(99) == 99 and nearest_rank([7], 50) == 7
    with pytest.raises(ValueError):
        samples.remove(1000)
