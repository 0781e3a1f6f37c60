"""The capacity simulator's speed: jobs and events per second, on the bundled KTH-SP2 log.

`platform` runs the job and cluster services' own code (in-memory stores, the simulator's bus
and cloud model) on the log's first JOBS jobs; the pool model, which `static`, `static_max`,
`cluster_per_job` and the planner's search use, runs the whole log.
"""

from __future__ import annotations

import itertools
import time
from typing import Final

from bench.report import Report
from simulator.models import model_result
from simulator.platform import PlatformRun
from simulator.scenario import Scenario
from simulator.workload import in_memory, open_log

JOBS: Final = 2_000
SECTION: Final = "capacity simulator"


def run(report: Report) -> None:
    from pathlib import Path

    import simulator

    scenario = Scenario()
    log = Path(simulator.__file__).parent / "data" / "KTH-SP2-1996-2.1-cln.swf.gz"
    workload = open_log(log, scenario.mapping)
    head = in_memory(list(itertools.islice(workload.jobs(), JOBS)), "KTH head")
    started = time.perf_counter()
    result = PlatformRun(scenario, head, timeline=False).run()
    elapsed = time.perf_counter() - started
    report.add(
        SECTION, f"platform (services' code), jobs per second, first {JOBS:,} jobs", JOBS / elapsed
    )
    report.add(SECTION, "platform (services' code), events per second", result.events / elapsed)
    started = time.perf_counter()
    model = model_result("pools", scenario, workload, scenario.pools)
    elapsed = time.perf_counter() - started
    jobs = workload.summary.jobs
    report.add(SECTION, f"pool model, jobs per second, whole log ({jobs:,} jobs)", jobs / elapsed)
    report.add(SECTION, "pool model, events per second", model.events / elapsed)
