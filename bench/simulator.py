"""The capacity simulator's speed and memory, on the bundled KTH-SP2 log and logs made from it.

`platform` runs the job and cluster services' own code (in-memory stores, the simulator's bus
and cloud model) on the log's first JOBS jobs, with the stores that forget (`simulator.store`)
and, side by side in the same run, with stores that keep every event: jobs/s of each and their
ratio. Memory: tracemalloc's peak of the platform run on the KTH log's first SHORT and LONG jobs
(forgetting): LONG / SHORT stays far below LONG / SHORT jobs when memory is flat. The pool
model, which `static`, `static_max`, `cluster_per_job` and the planner's search use, runs the
whole log, and a log of LOOPS times the KTH log end to end (about 114,000 jobs, made on the fly:
nothing big is stored).

`SIMULATOR_BENCH_PLATFORM_LOOPS=1` also runs `platform` on that long log (minutes: off unless
asked for).
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from bench.report import Report
from simulator.compare import run_policies
from simulator.models import model_result
from simulator.platform import PlatformRun
from simulator.scenario import Scenario
from simulator.workload import SimJob, Workload, in_memory, open_log

JOBS: Final = 2_000
SHORT: Final = 1_000
LONG: Final = 4_000
LOOPS: Final = 4
SECTION: Final = "capacity simulator"
MODEL_POLICIES: Final = ("static_max", "cluster_per_job", "lower_bound")


def kth() -> Workload:
    import simulator

    log = Path(simulator.__file__).parent / "data" / "KTH-SP2-1996-2.1-cln.swf.gz"
    return open_log(log, Scenario().mapping)


def repeated(workload: Workload, times: int) -> Workload:
    """`workload` `times` over, end to end, a day apart: a long log made on the fly."""
    span = workload.summary.span_s + 86_400
    count = workload.summary.jobs

    def jobs() -> Iterator[SimJob]:
        for loop in range(times):
            for job in workload.jobs():
                yield dataclasses.replace(
                    job, index=loop * count + job.index, submit_s=job.submit_s + loop * span
                )

    summary = dataclasses.replace(
        workload.summary,
        jobs=count * times,
        last_submit=workload.summary.last_submit + (times - 1) * span,
    )
    return Workload(f"{workload.name} x{times}", summary, jobs, workload.profiles)


def head(workload: Workload, jobs: int) -> Workload:
    return in_memory(list(itertools.islice(workload.jobs(), jobs)), f"KTH first {jobs}")


def platform_peak_mb(workload: Workload) -> float:
    """tracemalloc's peak, in MB, of a platform run (services built inside the measurement)."""
    tracemalloc.start()
    try:
        PlatformRun(Scenario(), workload, timeline=False).run()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def run(report: Report) -> None:
    scenario = Scenario()
    workload = kth()
    first = head(workload, JOBS)
    for forget, label in ((True, "forgetting stores"), (False, "stores keeping every event")):
        started = time.perf_counter()
        result = PlatformRun(scenario, first, timeline=False, forget=forget).run()
        elapsed = time.perf_counter() - started
        report.add(
            SECTION, f"platform, jobs per second, first {JOBS:,} jobs [{label}]", JOBS / elapsed
        )
        report.add(SECTION, f"platform, events per second [{label}]", result.events / elapsed)
    report.ratio(
        SECTION,
        "platform speed, forgetting / keeping every event (x)",
        f"platform, jobs per second, first {JOBS:,} jobs [forgetting stores]",
        f"platform, jobs per second, first {JOBS:,} jobs [stores keeping every event]",
    )
    short = platform_peak_mb(head(workload, SHORT))
    long = platform_peak_mb(head(workload, LONG))
    report.add(SECTION, f"platform, tracemalloc peak MB, first {SHORT:,} jobs", short)
    report.add(SECTION, f"platform, tracemalloc peak MB, first {LONG:,} jobs", long)
    report.add(
        SECTION,
        f"platform, peak memory {LONG:,} / {SHORT:,} jobs (x; jobs are x{LONG // SHORT})",
        long / short,
    )
    started = time.perf_counter()
    model = model_result("pools", scenario, workload, scenario.pools)
    elapsed = time.perf_counter() - started
    jobs = workload.summary.jobs
    report.add(SECTION, f"pool model, jobs per second, whole log ({jobs:,} jobs)", jobs / elapsed)
    report.add(SECTION, "pool model, events per second", model.events / elapsed)
    looped = repeated(workload, LOOPS)
    policies: tuple[str, ...] = MODEL_POLICIES
    if os.environ.get("SIMULATOR_BENCH_PLATFORM_LOOPS") == "1":
        policies = ("platform", *policies)
    started = time.perf_counter()
    results = run_policies(scenario, looped, policies=policies, workers=os.cpu_count() or 1)
    elapsed = time.perf_counter() - started
    report.add(
        SECTION,
        f"{', '.join(policies)} on {looped.summary.jobs:,} jobs (KTH x{LOOPS}), seconds",
        elapsed,
    )
    for result in results:
        report.add(SECTION, f"  {result.name}: seconds", result.elapsed_s)
