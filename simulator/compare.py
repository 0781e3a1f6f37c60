"""`compare`: every policy on the same log, the same arrivals and the same start-up draws."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from simulator.models import always_on, lower_bound, model_result, search_static
from simulator.platform import PlatformRun
from simulator.scenario import PoolSettings, Scenario
from simulator.stats import PolicyResult
from simulator.workload import Workload

POLICIES = ("platform", "static", "static_max", "cluster_per_job", "ttl_only", "lower_bound")

Progress = Callable[[str], None]


def run_policies(
    scenario: Scenario,
    workload: Workload,
    *,
    pools: dict[str, PoolSettings] | None = None,
    policies: tuple[str, ...] = POLICIES,
    progress: Progress | None = None,
    schedules: dict[str, tuple[int, ...]] | None = None,
) -> list[PolicyResult]:
    """Each policy's result, in `policies` order; `pools` overrides the scenario's."""
    settings = {p: (pools or {}).get(p) or scenario.pool(p) for p in workload.profiles}
    say = progress or (lambda _: None)
    results: list[PolicyResult] = []
    for name in policies:
        started = time.perf_counter()
        say(f"{name}: running")
        result = _one(name, scenario, workload, settings, say, schedules or {})
        result.elapsed_s = time.perf_counter() - started
        say(f"{name}: {result.elapsed_s:.1f} s")
        results.append(result)
    return results


def _one(
    name: str,
    scenario: Scenario,
    workload: Workload,
    pools: dict[str, PoolSettings],
    say: Progress,
    schedules: dict[str, tuple[int, ...]],
) -> PolicyResult:
    if name == "platform":
        run = PlatformRun(scenario, workload, pools, progress=say, schedules=schedules)
        result = run.run()
        if schedules:
            result.settings = {
                p: {**s, "schedule": list(schedules[p]) if p in schedules else None}
                for p, s in result.settings.items()
            }
        return result
    if name == "ttl_only":
        ttl = {p: PoolSettings(0, s.maximum, s.idle_ttl_seconds) for p, s in pools.items()}
        run = PlatformRun(scenario, workload, ttl, name="ttl_only", timeline=False, progress=say)
        result = run.run()
        result.notes.append("the platform's own code with MINIMUM 0 in every pool")
        return result
    if name == "static":
        counts, notes = search_static(scenario, workload)
        result = model_result(
            "static",
            scenario,
            workload,
            always_on(counts),
            always_on=True,
            settings={p: {"clusters": n} for p, n in counts.items()},
        )
        result.notes += [*notes, "the simulator's pool model; clusters found by bisection"]
        return result
    if name == "static_max":
        counts = {p: s.maximum for p, s in pools.items()}
        result = model_result(
            "static_max",
            scenario,
            workload,
            always_on(counts),
            always_on=True,
            settings={p: {"clusters": n} for p, n in counts.items()},
        )
        result.notes.append("the simulator's pool model, always on at the platform's MAXIMUM")
        return result
    if name == "cluster_per_job":
        result = model_result(
            "cluster_per_job",
            scenario,
            workload,
            pools,
            per_job=True,
            settings={"note": "one cluster per job, terminated after it"},
        )
        result.notes.append("the simulator's model: start-up, step, termination per job")
        return result
    if name == "lower_bound":
        return lower_bound(scenario, workload)
    raise ValueError(f"unknown policy {name!r}; known: {', '.join(POLICIES)}")


def compare_json(
    workload: Workload, scenario: Scenario, results: list[PolicyResult], elapsed_s: float
) -> dict[str, Any]:
    return {
        "log": {
            "name": workload.name,
            "jobs": workload.summary.jobs,
            "span_days": round(workload.span_days, 2),
        },
        "sla": scenario.sla,
        "elapsed_s": round(elapsed_s, 2),
        "policies": [r.as_json() for r in results],
    }
