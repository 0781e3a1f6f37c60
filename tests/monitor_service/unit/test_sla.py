"""SlaBreached: once per job, on JobStarted or on the tick, with configurable targets."""

from __future__ import annotations

from typing import Any

import pytest

from events.schemas import SlaBreached
from monitor_service.domain import InvalidPolicy, MonitorPolicy, SlaTargets
from tests.monitor_service import support as s


def _breaches(world: s.World) -> list[SlaBreached]:
    return [e for e in world.published() if isinstance(e, SlaBreached)]


def _breach_counts(world: s.World, seconds: float) -> dict[tuple[str, str, str], Any]:
    return {
        (r["profile"], r["priority"], r["tenant"]): r["value"]
        for r in world.app.metrics(s.at(seconds))["sla_breaches"]
    }


def test_a_late_start_is_a_breach_decided_when_the_start_arrives_and_only_once() -> None:
    # Given a high-priority job (target 300 s) that started 310 s after acceptance
    world = s.World()
    world.deliver(s.submitted("a", 0, priority="high", tenant="acme"))
    world.set(311)
    world.deliver(s.started("a", 310))
    # When the start is delivered again, the tick runs, and the job succeeds
    world.deliver(s.started("a", 310))
    world.app.tick(s.at(400))
    world.deliver(s.succeeded("a", 500))
    # Then one SlaBreached says how long it waited against which target
    (breach,) = _breaches(world)
    assert breach.model_dump(
        include={
            "job_id",
            "tenant_id",
            "cluster_profile",
            "priority",
            "waited_seconds",
            "target_seconds",
        }
    ) == {
        "job_id": "a",
        "tenant_id": "acme",
        "cluster_profile": "small",
        "priority": "high",
        "waited_seconds": 310.0,
        "target_seconds": 300.0,
    }
    assert breach.occurred_at == s.at(311)
    assert _breach_counts(world, 600) == {("small", "high", "acme"): 1}


def test_a_job_still_waiting_past_its_target_is_a_breach_at_the_tick() -> None:
    world = s.World()
    world.deliver(s.submitted("a", 0, priority="critical"))
    assert world.app.tick(s.at(59)).sla_breached == []
    assert world.app.tick(s.at(75)).sla_breached == ["a"]
    assert world.app.tick(s.at(135)).sla_breached == []
    world.deliver(s.started("a", 200))
    (breach,) = _breaches(world)
    assert (breach.waited_seconds, breach.target_seconds) == (75.0, 60.0)


def test_on_time_and_cancelled_jobs_are_no_breach() -> None:
    world = s.World()
    world.deliver(s.submitted("on-time", 0, priority="high"))
    world.deliver(s.started("on-time", 299))
    world.deliver(s.submitted("gave-up", 0, priority="high"))
    world.deliver(s.cancelled("gave-up", 100))
    world.app.tick(s.at(1000))
    assert _breaches(world) == []


def test_a_start_delivered_before_its_submission_still_reveals_the_breach() -> None:
    world = s.World()
    world.deliver(s.started("a", 400))
    world.deliver(s.submitted("a", 0, priority="high"))
    (breach,) = _breaches(world)
    assert breach.waited_seconds == 400.0


def test_a_later_attempts_start_is_no_evidence_against_the_first() -> None:
    # Attempt 2's start arrives before attempt 1's (which was on time): no breach
    world = s.World()
    world.deliver(s.submitted("a", 0, priority="high"))
    world.deliver(s.started("a", 900, attempt=2))
    world.deliver(s.started("a", 100, attempt=1))
    assert _breaches(world) == []


def test_targets_are_configurable() -> None:
    targets = SlaTargets({"critical": 10, "high": 20, "normal": 30, "low": 40})
    world = s.World(policy=MonitorPolicy(sla=targets))
    world.deliver(s.submitted("a", 0, priority="low"))
    assert world.app.tick(s.at(41)).sla_breached == ["a"]
    rows = world.app.metrics(s.at(41))["sla_target_seconds"]
    assert {r["priority"]: r["value"] for r in rows} == targets.seconds


@pytest.mark.parametrize(
    "seconds",
    [
        {"critical": 60, "high": 300, "normal": 1800},
        {"critical": 0, "high": 1, "normal": 1, "low": 1},
    ],
)
def test_targets_name_every_priority_above_zero(seconds: dict[str, float]) -> None:
    with pytest.raises(InvalidPolicy):
        SlaTargets(seconds)
