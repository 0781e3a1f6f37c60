"""The simulator against the platform: the same small workload on the emulator and in the simulator
gives the same allocation order and the same waits, within a stated tolerance.

The platform: the job and cluster services on their DynamoDB tables in the emulator, their stored
events moving store → stream → relay → bus → rules → SQS → consumers (`local_runtime.pipeline`),
the local EMR and CloudFormation driver with its fast timings, and the monitor service recording
everything, as `make run` has them; one virtual clock drives the driver, the pipeline and every
Tick (as tests/system/test_saga.py does), so a run is repeatable and takes seconds.

The simulator: `simulator.platform.PlatformRun` (the `platform` policy: the same services'
code on in-memory stores, `simulator.bus`, the SimPy model of CloudFormation and EMR) with a
scenario whose start-up model, step overhead, Ticks and pools are the driver's and the harness's.

The recorded run's export (`jobctl export`, the monitor's GET /audit/jobs) is checked too: read
back by the simulator, it is the workload that ran. docs/simulator.md, "Agreement with the
platform", states the tolerance and why.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import permutations
from pathlib import Path
from typing import Any, Final

import pytest

from cli.commands.export import write_csv
from cluster_service.bootstrap import ClusterService, ClusterServiceSettings
from cluster_service.bootstrap import bootstrap as bootstrap_cluster_service
from cluster_service.subscriptions import DEFINITION as CLUSTER_SERVICE
from job_service.bootstrap import JobService, JobServiceSettings
from job_service.bootstrap import bootstrap as bootstrap_job_service
from job_service.domain import ProfileTerms, StepTemplate
from job_service.subscriptions import DEFINITION as JOB_SERVICE
from local_runtime.emr_driver import LocalAwsDriver
from local_runtime.emulator import Emulator, client
from local_runtime.pipeline import Pipeline, ServicePlumbing
from monitor_service.bootstrap import MonitorService, MonitorServiceSettings
from monitor_service.bootstrap import bootstrap as bootstrap_monitor_service
from monitor_service.domain import AuditQuery
from monitor_service.subscriptions import DEFINITION as MONITOR_SERVICE
from simulator.platform import PlatformRun
from simulator.scenario import PoolSettings, ProfileSpec, Scenario, StartupModel
from simulator.wiring import cluster_profile
from simulator.workload import Mapping, SimJob, in_memory, open_log
from tests.support import unique_name

pytestmark = [pytest.mark.integration, pytest.mark.emulator]

T0: Final = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STEP: Final = 0.5
"""Virtual seconds per round of the platform harness: every fast driver timing is a multiple."""
TICK: Final = 1.0
"""Both services' Tick, in both worlds."""
PRIORITIES: Final = ("critical", "high", "normal", "low")
SPECS: Final = (
    ProfileSpec("small", 2, 0.72),
    ProfileSpec("medium", 2, 2.40, "m5.2xlarge", "m5.2xlarge", 4),
)
POOLS: Final = {"small": PoolSettings(1, 2, 600), "medium": PoolSettings(0, 2, 600)}
"""small: one cluster warm, a second started on demand; medium: none warm (every first job
waits a start-up). The idle TTL outlasts the run: no cluster is retired mid-way."""
STARTUP: Final = StartupModel(
    stack_low_s=1.0,
    stack_high_s=1.0,
    to_waiting_low_s=5.0,
    to_waiting_high_s=5.0,
    bootstrap_share=0.4,
    terminate_low_s=1.0,
    terminate_high_s=1.0,
    step_overhead_s=0.5,
)
"""The local driver's fast timings (local_runtime/emr_driver/settings.py): CreateStack →
STARTING 1 s, STARTING 2 s, BOOTSTRAPPING 2 s, a step PENDING 0.5 s."""
WAIT_TOLERANCE_S: Final = 1.0
"""Per job, |platform wait - simulated wait| at most this: docs/simulator.md says why."""
ORDER_TIE_S: Final = 1.0
"""Starts closer than this (one Tick) count as one dispatch round: their order is not compared."""
JOB_PROFILE_PREFIX: Final = "agree-"


def workload(seed: int = 11, jobs: int = 24) -> list[SimJob]:
    """Three bursts of jobs over two profiles, four priorities and two tenants. Submissions
    fall half-way between two Ticks, never with one (which of two things at one instant goes
    first is SimPy's choice in the simulator); run times are on the harness's half-second
    grid, so the driver runs each step exactly as long as asked."""
    draw = random.Random(seed)
    found: list[SimJob] = []
    for index in range(jobs):
        burst = index * 3 // jobs
        submit = burst * 9.0 + draw.randrange(0, 4) * TICK + STEP
        found.append(
            SimJob(
                index,
                submit,
                float(draw.randrange(4, 17) * STEP),
                draw.choice(("small", "medium")),
                draw.choice(PRIORITIES),
                draw.choice(("acme", "globex")),
            )
        )
    found.sort(key=lambda job: (job.submit_s, job.index))
    return [
        SimJob(n, j.submit_s, j.run_s, j.profile, j.priority, j.tenant) for n, j in enumerate(found)
    ]


@dataclass(frozen=True)
class Start:
    """When one job's step was added (JobStarted: the job service's started_at)."""

    name: str
    profile: str
    wait_s: float
    started_s: float


# The platform on the emulator --------------------------------------------------------------


class EmulatedPlatform:
    """The three services on the emulator, one pipeline, the local driver, one virtual clock."""

    def __init__(self, emulator: Emulator) -> None:
        self.t = 0.0
        prefix = unique_name("agree")
        endpoint = emulator.endpoint_url
        self.driver = LocalAwsDriver(endpoint, events_client=client("events", endpoint))
        job_settings = JobServiceSettings(
            table_name=f"{prefix}-jobs", endpoint_url=endpoint, create_table=True
        )
        cluster_settings = ClusterServiceSettings(
            table_name=f"{prefix}-clusters", endpoint_url=endpoint, create_table=True
        )
        self.jobs: JobService = bootstrap_job_service(job_settings, clock=self.now)
        self.clusters: ClusterService = bootstrap_cluster_service(cluster_settings, clock=self.now)
        self.monitor: MonitorService = bootstrap_monitor_service(
            MonitorServiceSettings(
                "unused", persistence_module="backbone.eventstore.memory", instance_id="m-1"
            ),
            clock=self.now,
        )
        self.pipeline = Pipeline(
            endpoint,
            f"{prefix}-bus",
            [
                ServicePlumbing(
                    "job-service",
                    job_settings.table_name,
                    translate=self.jobs.translate,
                    definition=JOB_SERVICE.with_prefix(prefix),
                    handle_sqs_event=self.jobs.consumer.handle_sqs_event,
                ),
                ServicePlumbing(
                    "cluster-service",
                    cluster_settings.table_name,
                    translate=self.clusters.translate,
                    definition=CLUSTER_SERVICE.with_prefix(prefix),
                    handle_sqs_event=self.clusters.consumer.handle_sqs_event,
                ),
                ServicePlumbing(
                    "monitor-service",
                    "unused",
                    definition=MONITOR_SERVICE.with_prefix(prefix),
                    handle_sqs_event=self.monitor.consumer.handle_sqs_event,
                ),
            ],
        ).create()

    def now(self) -> datetime:
        return T0 + timedelta(seconds=self.t)

    def set_up(self) -> None:
        at = self.now()
        for spec in SPECS:
            pool = POOLS[spec.name]
            self.clusters.app.register_profile(
                cluster_profile(spec), pool.minimum, pool.maximum, pool.idle_ttl_seconds, at
            )
            terms = ProfileTerms(
                job_type="scoring",
                cluster_profile=spec.name,
                step_template=StepTemplate(
                    "command", ("agreement-step", "--job={job}", "--sleep-seconds={duration}")
                ),
                max_attempts=1,
                timeout_seconds=3_600,
            )
            self.jobs.app.create_profile(JOB_PROFILE_PREFIX + spec.name, terms, at=at)
        self.pipeline.pump()

    def round(self, arrivals: Callable[[], None] = lambda: None) -> None:
        """One step of virtual time: the Ticks on their grid, the jobs due by now, then the
        driver and the messages. Within one instant that is the simulator's order too: there a
        message takes `bus_latency_s` (a hundredth of a second) per hop, so whatever the Ticks
        and the arrivals of an instant set off is handled just after them."""
        self.t += STEP
        if self.t % TICK == 0:
            self.clusters.tick()
            self.pipeline.pump()
            self.jobs.tick()
            self.pipeline.pump()
        arrivals()
        self.driver.tick(self.t)
        self.pipeline.pump()

    def run(self, jobs: list[SimJob], limit_s: float = 240.0) -> None:
        """Warm the pools to MINIMUM, submit `jobs` at their times (from a second on the Tick
        grid, as the simulator's are), run until the monitor has recorded every one's end."""
        self.set_up()
        while not self._warm():
            self._round_within(limit_s)
        origin = float(int(self.t + TICK))
        pending = list(jobs)

        def arrivals() -> None:
            while pending and origin + pending[0].submit_s <= self.t:
                job = pending.pop(0)
                self.jobs.app.submit(
                    job.tenant,
                    JOB_PROFILE_PREFIX + job.profile,
                    f"job-{job.index}",
                    {"job": job.index, "duration": job.run_s},
                    job.priority,  # type: ignore[arg-type]
                    at=T0 + timedelta(seconds=origin + job.submit_s),
                )
                self.pipeline.pump()

        while pending or not self._all_ended(len(jobs)):
            self._round_within(limit_s, arrivals)

    def _round_within(self, limit_s: float, arrivals: Callable[[], None] = lambda: None) -> None:
        if self.t >= limit_s:
            raise AssertionError(f"the platform run was not done after {limit_s} virtual s")
        self.round(arrivals)

    def _warm(self) -> bool:
        pools = {p.profile: p for p in self.clusters.app.list_pools()}
        return all(
            sum(n for state, n in pools[s.name].clusters_by_state.items() if state == "READY")
            >= POOLS[s.name].minimum
            for s in SPECS
        )

    def _all_ended(self, jobs: int) -> bool:
        """Every job's end recorded by the monitor (its in-memory board: no AWS request)."""
        runs = self.monitor.app.job_history(AuditQuery(limit=1000)).runs
        return len(runs) == jobs and all(run.outcome is not None for run in runs)


def starts(jobs: JobService, tenants: set[str]) -> dict[str, Start]:
    """Each job's start as its job service recorded it, by job name; times from the first
    submission (each world has its own clock)."""
    found: list[tuple[str, str, datetime, datetime]] = []
    for tenant in sorted(tenants):
        for entry in jobs.app.list_jobs(tenant, limit=100).jobs:
            job: Any = jobs.app.get(tenant, entry.job_id)
            assert job.started_at is not None, f"{entry.name} never started"
            found.append((entry.name, job.cluster_profile, job.submitted_at, job.started_at))
    origin = min(submitted for _, _, submitted, _ in found)
    return {
        name: Start(
            name,
            profile,
            (started - submitted).total_seconds(),
            (started - origin).total_seconds(),
        )
        for name, profile, submitted, started in found
    }


def inversions(first: dict[str, Start], second: dict[str, Start]) -> list[tuple[str, str]]:
    """Pairs of jobs of one profile that `first` starts more than ORDER_TIE_S apart and
    `second` starts the other way round."""
    found = []
    for a, b in permutations(first, 2):
        if first[a].profile != first[b].profile:
            continue
        if first[a].started_s + ORDER_TIE_S < first[b].started_s and (
            second[a].started_s > second[b].started_s
        ):
            found.append((a, b))
    return found


# The two runs, once for every test here ----------------------------------------------------


@dataclass(frozen=True)
class Runs:
    jobs: list[SimJob]
    platform: dict[str, Start]
    simulated: dict[str, Start]
    history: list[dict[str, Any]]
    """GET /audit/jobs's rows of the recorded run."""


@pytest.fixture(scope="module")
def runs(emulator: Emulator) -> Iterator[Runs]:
    jobs = workload()
    tenants = {job.tenant for job in jobs}
    emulated = EmulatedPlatform(emulator)
    emulated.run(jobs)
    on_platform = starts(emulated.jobs, tenants)
    page = emulated.monitor.app.job_history(AuditQuery(limit=1000))
    history = [run.to_dict() for run in page.runs]
    scenario = Scenario(
        profiles=SPECS,
        pools=dict(POOLS),
        startup=STARTUP,
        bus_latency_s=0.01,
        job_tick_s=TICK,
        cluster_tick_s=TICK,
    )
    simulated_run = PlatformRun(scenario, in_memory(jobs), timeline=False)
    result = simulated_run.run()
    assert result.jobs_finished == len(jobs)
    simulated = starts(simulated_run.jobs, tenants)
    yield Runs(jobs, on_platform, simulated, history)


def test_the_simulator_gives_slots_in_the_platforms_order(runs: Runs) -> None:
    assert set(runs.simulated) == set(runs.platform)
    assert inversions(runs.platform, runs.simulated) == []
    assert inversions(runs.simulated, runs.platform) == []
    # and the order is not trivial: some job started before one submitted ahead of it
    jobs = {f"job-{job.index}": job for job in runs.jobs}
    overtaken = [
        (a, b)
        for a, b in permutations(runs.platform, 2)
        if jobs[a].submit_s < jobs[b].submit_s
        and runs.platform[b].started_s + ORDER_TIE_S < runs.platform[a].started_s
        and jobs[a].profile == jobs[b].profile
    ]
    assert overtaken, "no job overtook another: the workload does not test priorities"


def test_each_jobs_wait_agrees_within_the_tolerance(runs: Runs) -> None:
    gaps = {
        name: round(runs.simulated[name].wait_s - start.wait_s, 3)
        for name, start in runs.platform.items()
    }
    assert len(gaps) == len(runs.jobs)
    off = {name: gap for name, gap in gaps.items() if abs(gap) > WAIT_TOLERANCE_S}
    assert not off, f"waits apart by more than {WAIT_TOLERANCE_S} s: {off}"
    waited = [s.wait_s for s in runs.platform.values() if s.wait_s > 2 * WAIT_TOLERANCE_S]
    assert waited, "the workload must make some jobs queue, or it tests nothing"


def test_the_recorded_runs_export_reads_back_as_the_workload_that_ran(
    runs: Runs, tmp_path: Path
) -> None:
    text = io.StringIO()
    written, skipped = write_csv(runs.history, text)
    assert (written, dict(skipped)) == (len(runs.jobs), {})
    log = tmp_path / "history.csv"
    log.write_text(text.getvalue())
    exported = list(open_log(log, Mapping()).jobs())
    rows = list(csv.DictReader(io.StringIO(text.getvalue())))
    first = runs.jobs[0].submit_s
    ran = sorted((j.submit_s - first, j.profile, j.priority, j.tenant, j.run_s) for j in runs.jobs)
    read = sorted(
        (round(j.submit_s, 3), j.profile, j.priority, j.tenant, j.run_s) for j in exported
    )
    assert [r[:4] for r in read] == [r[:4] for r in ran]
    for got, asked in zip(read, ran, strict=True):
        assert got[4] == pytest.approx(asked[4], abs=1.0), "EMR's step times, to the second"
    waits = sorted(float(row["wait_s"]) for row in rows)
    assert waits == pytest.approx(sorted(s.wait_s for s in runs.platform.values()), abs=1e-3)
    assert {row["outcome"] for row in rows} == {"succeeded"}
