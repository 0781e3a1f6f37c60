"""`compare`: every policy on the same log, the same arrivals and the same start-up draws."""

from __future__ import annotations

import multiprocessing
import time
import traceback
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from typing import Any

from simulator.models import always_on, lower_bound, model_result, search_static
from simulator.platform import PlatformRun
from simulator.scenario import PoolSettings, Scenario
from simulator.stats import PolicyResult
from simulator.workload import Workload

POLICIES = ("platform", "static", "static_max", "cluster_per_job", "ttl_only", "lower_bound")
LONGEST_FIRST = ("platform", "ttl_only", "static", "cluster_per_job", "static_max", "lower_bound")
"""The order policies start in when several run at once: the services' own code takes longest."""

Progress = Callable[[str], None]


def run_policies(
    scenario: Scenario,
    workload: Workload,
    *,
    pools: dict[str, PoolSettings] | None = None,
    policies: tuple[str, ...] = POLICIES,
    progress: Progress | None = None,
    schedules: dict[str, tuple[int, ...]] | None = None,
    workers: int = 1,
) -> list[PolicyResult]:
    """Each policy's result, in `policies` order; `pools` overrides the scenario's.

    `workers` > 1 runs that many policies at once, each in a process of its own (forked: it
    inherits the workload and scenario as they are, nothing is pickled but its result). The
    policies share nothing but their inputs, so the results are the same as one after the
    other; each one's `elapsed_s` is its own."""
    settings = {p: (pools or {}).get(p) or scenario.pool(p) for p in workload.profiles}
    say = progress or (lambda _: None)

    def timed(name: str) -> PolicyResult:
        started, cpu = time.perf_counter(), time.process_time()
        say(f"{name}: running")
        result = _one(name, scenario, workload, settings, say, schedules or {})
        result.elapsed_s = time.perf_counter() - started
        result.cpu_s = time.process_time() - cpu
        say(f"{name}: {result.elapsed_s:.1f} s ({result.cpu_s:.1f} CPU s)")
        return result

    forking = "fork" in multiprocessing.get_all_start_methods()
    if workers <= 1 or len(policies) <= 1 or not forking:
        return [timed(name) for name in policies]
    return _at_once(policies, timed, workers)


def _at_once(
    policies: tuple[str, ...], timed: Callable[[str], PolicyResult], workers: int
) -> list[PolicyResult]:
    """Run `timed(name)` for every policy in forked processes, `workers` at a time, longest
    first; a policy that fails raises here with its traceback."""
    context = multiprocessing.get_context("fork")
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    pending = deque(sorted(range(len(policies)), key=lambda i: rank.get(policies[i], 0)))
    running: dict[Connection, tuple[int, Any]] = {}
    results: dict[int, PolicyResult] = {}
    try:
        while pending or running:
            while pending and len(running) < workers:
                index = pending.popleft()
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(
                    target=_child, args=(sender, timed, policies[index]), daemon=True
                )
                process.start()
                sender.close()
                running[receiver] = (index, process)
            for ready in wait(list(running)):
                assert isinstance(ready, Connection)
                index, process = running.pop(ready)
                try:
                    ok, payload = ready.recv()
                except EOFError:
                    ok, payload = False, f"its process ended with code {process.exitcode}"
                process.join()
                if not ok:
                    raise RuntimeError(f"policy {policies[index]} failed: {payload}")
                results[index] = payload
    finally:
        for _, process in running.values():
            process.kill()
    return [results[i] for i in range(len(policies))]


def _child(sender: Connection, timed: Callable[[str], PolicyResult], name: str) -> None:
    try:
        sender.send((True, timed(name)))
    except BaseException:  # the parent reports it; nothing may escape a forked child
        sender.send((False, traceback.format_exc()))
    finally:
        sender.close()


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
