"""The `platform` policy: the real job and cluster services on in-memory event stores, on a
SimPy clock, with CloudFormation + EMR modelled by `simulator.cloud`.

What runs is the services' public surface only: `bootstrap(...)` of each service with the
simulator's collaborators and clock, the use cases on `service.app` (register_profile,
create_profile, submit, tick), the relays' `service.translate`, and the consumers
(`service.consumer`). `simulator.bus` moves the integration events between them, and AWS's
events from the cloud model, as EventBridge → SQS → Lambda would, after a delivery latency.

The Tick: each service's `app.tick(now)` every `job_tick_s` / `cluster_tick_s` of virtual time
(heartbeats are left out: only the monitor reads them). Both services act on events (a
submission, a cluster ready or idle, a step's end); a Tick's own work is time-driven: idle-TTL
expiry, topping pools up to MINIMUM, finishing stack transitions, and reconciling what was
not heard of (which never happens here: the bus loses nothing). So while no message is on the
way, no stack is being created or deleted and every pool is at its MINIMUM, the simulator skips
the Ticks and wakes on the tick grid after the next delivery or arrival, the next idle-TTL
expiry, the next hour while pools keep a MINIMUM schedule (the cluster service follows it on
its Tick), or, while jobs wait, the next Tick; a Tick it woke for is skipped too if the platform
is at rest again by then with nothing due. `quiet_ticks=False` runs every Tick instead;
tests/simulator check that both give the same figures.
"""

from __future__ import annotations

import math
import resource
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from uuid import UUID

import simpy

from cluster_service.application.runner import STARTS_PER_PASS
from cluster_service.bootstrap import ClusterService, ClusterServiceSettings
from cluster_service.bootstrap import bootstrap as bootstrap_cluster_service
from events.schemas import IntegrationEvent
from job_service.bootstrap import JobService, JobServiceSettings
from job_service.bootstrap import bootstrap as bootstrap_job_service
from simulator.bus import Bus
from simulator.cloud import SimCloud
from simulator.clusters import ClusterLedger, StartupDraws
from simulator.scenario import PoolSettings, Scenario
from simulator.stats import PolicyResult, Timeline, Waits
from simulator.store import Forgetting
from simulator.wiring import cluster_profile, cluster_records, job_profile_terms
from simulator.workload import SimJob, Workload

MEMORY_STORE: Final = "backbone.eventstore.memory"
FORGETFUL_STORE: Final = "simulator.store"
FORGET_EVERY_S: Final = 3600.0
"""Virtual seconds between two forgetting rounds of the stores (`simulator.store`)."""
FORGET_GRACE_S: Final = 3600.0
"""How long an aggregate that is over is kept: far longer than a message's retries take."""
NO_CHECKPOINTS: Final = 10**12
"""The job service's board checkpoints are for a cold start, which never comes here."""
T0: Final = datetime(2026, 1, 5, tzinfo=UTC)
"""Virtual time 0 on the services' clocks, a Monday 00:00 UTC (schedules are turned from the
log's own week, `hour_of_week`, to this clock's: `PlatformRun._service_schedules`)."""
JOB_PROFILE_PREFIX: Final = "sim-"
DRAIN_LIMIT_S: Final = 30 * 86_400.0
"""How long after the last arrival the run may go on before it gives up on unfinished jobs."""


FAST_CACHE: Final = {
    "AGGREGATE_CACHE_MAXSIZE": "20000",
    "DEEPCOPY_FROM_AGGREGATE_CACHE": "n",
    "AGGREGATE_CACHE_FASTFORWARD": "n",
}
"""eventsourcing's aggregate cache (the job service has none by default), without its safety
copies, for one writer that never fails a save: each service is the only writer of its store
here and the simulator injects no failures, so a cached aggregate never runs ahead of its
store. Off with `fast_cache=False`; tests/simulator check both give the same figures."""


@dataclass(frozen=True)
class _JobSettings(JobServiceSettings):
    extra_env: tuple[tuple[str, str], ...] = ()

    def store_env(self) -> dict[str, str]:
        return super().store_env() | dict(self.extra_env)


@dataclass(frozen=True)
class _ClusterSettings(ClusterServiceSettings):
    extra_env: tuple[tuple[str, str], ...] = ()

    def store_env(self) -> dict[str, str]:
        return super().store_env() | dict(self.extra_env)


class PlatformRun:
    """One run of the real services over a workload (see the module docstring)."""

    def __init__(
        self,
        scenario: Scenario,
        workload: Workload,
        pools: dict[str, PoolSettings] | None = None,
        *,
        name: str = "platform",
        quiet_ticks: bool = True,
        timeline: bool = True,
        fast_cache: bool = True,
        forget: bool = True,
        progress: Callable[[str], None] | None = None,
        schedules: dict[str, tuple[int, ...]] | None = None,
    ) -> None:
        self.scenario = scenario
        self.workload = workload
        self.name = name
        self.pools = {p: (pools or {}).get(p) or scenario.pool(p) for p in workload.profiles}
        self.quiet_ticks = quiet_ticks
        self.progress = progress
        self.schedules = schedules or {}
        """MINIMUM per hour of the log's week per profile, kept by the cluster service itself
        (its set_schedule use case, as `PUT /pools/{profile}/schedule` does) and followed on its
        Tick; the flat MINIMUM is the floor (see `_service_schedules`)."""
        self.service_schedules: dict[str, tuple[int, ...]] = {}
        """The schedules as the cluster service keeps them (hours of the services' clock)."""
        self.env = simpy.Environment()
        profiles = {p.name: p for p in scenario.profiles}
        missing = [p for p in workload.profiles if p not in profiles]
        if missing:
            raise ValueError(f"the log names profile(s) the scenario lacks: {missing}")
        self.slots = {name: profiles[name].slots for name in workload.profiles}
        self.ledger = ClusterLedger(
            {n: profiles[n].price_per_hour for n in workload.profiles}, self.slots
        )
        self.waits = Waits()
        self.timeline = Timeline() if timeline else None
        self.ids: dict[str, int] = {}
        """Job id → job index, for the jobs in flight."""
        self.queued: dict[int, SimJob] = {}
        self.running: dict[int, SimJob] = {}
        self.finished = 0
        self.submitted = 0
        self.arrivals_done = False
        self.last_tick = -math.inf
        self._cluster_tick_hour = -1
        """The hour of the services' clock the cluster service's last Tick ran in."""
        self._wakeup: simpy.Event | None = None
        self.done = self.env.event()
        self.offset = scenario.startup.to_waiting_high_s + 2 * scenario.cluster_tick_s
        """Virtual seconds before the log's first job: the pools reach MINIMUM, as they would
        have in a platform already running (the always-on policies start warm too)."""
        self.cloud = SimCloud(
            self.env,
            StartupDraws(scenario.startup, scenario.seed),
            self.ledger,
            self._aws_event,
            self._step_started,
        )
        extra = tuple(FAST_CACHE.items()) if fast_cache else ()
        snapshots = (("IS_SNAPSHOTTING_ENABLED", "y"),) if forget else ()
        store = FORGETFUL_STORE if forget else MEMORY_STORE
        self.jobs: JobService = bootstrap_job_service(
            _JobSettings(
                extra_env=extra + snapshots,
                table_name="simulated-jobs",
                persistence_module=store,
                tick_interval_seconds=int(scenario.job_tick_s),
                board_checkpoint_every=NO_CHECKPOINTS,
            ),
            step_runner=self.cloud,
            clock=self.now,
        )
        self.clusters: ClusterService = bootstrap_cluster_service(
            _ClusterSettings(
                extra_env=extra,
                persistence_module=store,
                tick_interval_seconds=int(scenario.cluster_tick_s),
            ),
            provisioner=self.cloud,
            inspector=self.cloud,
            clock=self.now,
        )
        self.bus = Bus(self.env, scenario.bus_latency_s, self.now)
        self.bus.attach("job-service", self.jobs.app, self.jobs.translate, self.jobs.consumer)
        self.bus.attach(
            "cluster-service", self.clusters.app, self.clusters.translate, self.clusters.consumer
        )
        self.bus.after_delivery = self._wake
        self.bus.on_published("JobSucceeded", self._job_ended)
        self.bus.on_published("JobFailed", self._job_ended)
        self.bus.on_published("JobCancelled", self._job_ended)
        self.forgetting: list[Forgetting] = []
        """Each service's store forgetting what is read and over (`forget`; simulator.store)."""
        if forget:
            self._jobs_forget = Forgetting(self.jobs.app.store, self._job_log_read, FORGET_GRACE_S)
            self._clusters_forget = Forgetting(
                self.clusters.app.store,
                lambda: self.bus.positions["cluster-service"],
                FORGET_GRACE_S,
            )
            self.forgetting = [self._jobs_forget, self._clusters_forget]
            self.bus.on_published("ClusterTerminated", self._cluster_over)
        self._set_up()

    # The virtual clock ----------------------------------------------------------------------

    def now(self) -> datetime:
        return T0 + timedelta(seconds=self.env.now)

    # Set-up ---------------------------------------------------------------------------------

    def _set_up(self) -> None:
        at = self.now()
        for name in self.workload.profiles:
            spec = self.scenario.profile(name)
            pool = self.pools[name]
            self.clusters.app.register_profile(
                cluster_profile(spec), pool.minimum, pool.maximum, pool.idle_ttl_seconds, at
            )
            self.jobs.app.create_profile(JOB_PROFILE_PREFIX + name, job_profile_terms(name), at=at)
        self.service_schedules = self._service_schedules()
        for name, hours in self.service_schedules.items():
            self.clusters.app.set_schedule(name, "UTC", list(hours), "api", at)
        self.bus.settle()

    def _service_schedules(self) -> dict[str, tuple[int, ...]]:
        """Each schedule in hours of the services' clock (UTC; T0 is a Monday 00:00): the log's
        week turned so that an hour's value is in force `to_waiting_high_s` before the log's
        hour begins, to the nearest hour (the service changes it on the hour)."""
        lead = self.scenario.startup.to_waiting_high_s
        hours, rest = divmod(self.workload.summary.start_epoch - self.offset + lead, 3600)
        shift = int(hours) + 72 + (rest >= 1800)  # the Unix epoch began on a Thursday
        return {
            profile: tuple(schedule[(hour + shift) % 168] for hour in range(168))
            for profile, schedule in self.schedules.items()
        }

    # Running --------------------------------------------------------------------------------

    def run(self) -> PolicyResult:
        started = self._started = time.perf_counter()
        self.env.process(self._arrivals(self.workload.jobs()))
        self.env.process(self._ticker())
        if self.timeline is not None:
            self.env.process(self._sampler())
        if self.schedules:
            self.env.process(self._scheduler())
        if self.forgetting:
            self.env.process(self._forgetter())
        self.env.run(until=self.done)
        end = self.env.now
        for stack in list(self.cloud.stacks.values()):
            if stack.emr_state != "TERMINATED":
                self.ledger.add(stack.profile, end - stack.created_at)
        result = PolicyResult(
            name=self.name,
            settings={p: s.as_dict() for p, s in self.pools.items()},
            cost_usd=self.ledger.cost_usd,
            cluster_hours=self.ledger.cluster_hours,
            clusters_started=self.ledger.started,
            utilization=self.ledger.utilization,
            jobs=self.submitted,
            jobs_finished=self.finished,
            waits=self.waits,
            sla=self.scenario.sla,
            timeline=self.timeline,
            model="platform",
            elapsed_s=time.perf_counter() - started,
            events=self.bus.delivered + self.stored_events(),
        )
        result.notes.append(
            f"stored events: {self.stored_events()} ({self._kept()}); "
            f"deliveries: {self.bus.delivered}, handler failures retried: {self.bus.retried}, "
            f"dead letters: {self.bus.dead_letters}; peak RSS {peak_rss_mb():.0f} MB"
        )
        return result

    def _kept(self) -> str:
        if not self.forgetting:
            return "in-memory stores, kept for the run"
        kept = sum(f.recorder.histories.kept() for f in self.forgetting)
        dropped = sum(f.dropped for f in self.forgetting)
        compacted = sum(f.compacted for f in self.forgetting)
        return (
            f"{kept} kept at the end: aggregates that were over forgotten {dropped}, "
            f"long histories cut at a snapshot {compacted}"
        )

    def stored_events(self) -> int:
        return self.bus.positions.get("job-service", 0) + self.bus.positions.get(
            "cluster-service", 0
        )

    def _arrivals(self, jobs: Iterator[SimJob]) -> Any:
        for job in jobs:
            at = self.offset + job.submit_s
            if at > self.env.now:
                yield self.env.timeout(at - self.env.now)
            self.queued[job.index] = job
            self.submitted += 1
            submitted = self.jobs.app.submit(
                job.tenant,
                JOB_PROFILE_PREFIX + job.profile,
                f"job-{job.index}",
                {"job": job.index, "duration": round(job.run_s, 3)},
                job.priority,  # type: ignore[arg-type]
                at=self.now(),
            )
            self.ids[str(submitted.id)] = job.index
            self.bus.settle()
            self._wake()
            if self.progress is not None and self.submitted % 2000 == 0:
                self.progress(
                    f"{self.name}: {self.submitted} jobs, day {self.env.now / 86_400:.0f}, "
                    f"{time.perf_counter() - self._started:.0f} s"
                )
        self.arrivals_done = True
        self.env.process(self._deadline())
        self._check_done()

    def _deadline(self) -> Any:
        yield self.env.timeout(DRAIN_LIMIT_S)
        if not self.done.triggered:
            self.done.succeed()

    def _ticker(self) -> Any:
        interval = min(self.scenario.job_tick_s, self.scenario.cluster_tick_s)
        while not self.done.triggered:
            if self._quiet():
                due = self._next_due()
                self._wakeup = self.env.event()
                waits: list[simpy.Event] = [self._wakeup, self.done]
                if due is not None:
                    waits.append(self.env.timeout(max(0.0, due - self.env.now)))
                yield self.env.any_of(waits)
                self._wakeup = None
            grid = (math.floor(self.env.now / interval) + 1) * interval
            yield self.env.timeout(grid - self.env.now)
            if not self._quiet():  # a delivery that woke it may have left nothing to do
                self._tick()

    def _quiet(self) -> bool:
        """Ticks are skipped and the platform is at rest with nothing due before now."""
        if not self.quiet_ticks or not self.at_rest():
            return False
        due = self._next_due()
        return due is None or due > self.env.now

    def _scheduler(self) -> Any:
        """Wake a quiet ticker on each hour of the services' clock: the cluster service's Tick
        then follows the schedules it keeps."""
        while not self.done.triggered:
            yield self.env.timeout(3600 - self.env.now % 3600)
            self._wake()

    def _tick(self) -> None:
        at = self.now()
        self.last_tick = self.env.now
        if not self.quiet_ticks or not self._cluster_tick_idle():
            self._cluster_tick_hour = int(self.env.now // 3600)
            self.clusters.app.tick(at)
            self.bus.settle()
        self.jobs.app.tick(at)
        self.bus.settle()

    def _cluster_tick_idle(self) -> bool:
        """Whether the cluster service's Tick now would change nothing (it is then skipped, and
        the job service's Tick runs alone). Its Tick reconciles with AWS only what AWS did that
        the service has not heard of, which here is what is on its way to it (the cloud model
        announces every change that matters); the policy's decisions differ from those of the
        last use case on the pool only by time: an idle TTL expiring, the schedule's next hour,
        or more starts than one pass makes (`STARTS_PER_PASS`). No thresholds are read (no
        SSM). So it is idle when no message is on its way to it, the schedule's hour is the
        one its last Tick saw, every pool is at its MINIMUM, no pool could want more starts
        than a pass makes, and no idle TTL is due."""
        if self.bus.in_flight_to["cluster-service"]:
            return False
        if self.service_schedules and int(self.env.now // 3600) != self._cluster_tick_hour:
            return False
        live = self.ledger.live
        for profile, pool in self.pools.items():
            clusters = live.get(profile, 0)
            if clusters < self._minimum(profile) or pool.maximum - clusters > STARTS_PER_PASS:
                return False
        return all(due > self.env.now for due in self._idle_ttl_dues())

    def _wake(self) -> None:
        if self._wakeup is not None and not self._wakeup.triggered:
            self._wakeup.succeed()

    def at_rest(self) -> bool:
        """No message on the way, no stack being created or deleted, every pool at its MINIMUM
        or above: a Tick now could only do time-driven work (see `_next_due`)."""
        if self.bus.in_flight or self.cloud.in_transition():
            return False
        live = self.ledger.live
        return all(live.get(p, 0) >= self._minimum(p) for p in self.pools)

    def _minimum(self, profile: str) -> int:
        """The pool's MINIMUM now (its schedule's, when it has one)."""
        pool = self.pools[profile]
        schedule = self.service_schedules.get(profile)
        if not schedule:
            return pool.minimum
        return min(pool.maximum, max(pool.minimum, schedule[int(self.env.now // 3600) % 168]))

    def _next_due(self) -> float | None:
        """When a Tick next has time-driven work: the earliest idle-TTL expiry of a cluster above
        its pool's MINIMUM (kept due until the service retires it), and, while jobs wait, the
        next Tick (the job service dispatches on its Tick)."""
        dues = self._idle_ttl_dues()
        if self.queued:
            dues.append(self.last_tick + self.scenario.job_tick_s)
        return min(dues) if dues else None

    def _idle_ttl_dues(self) -> list[float]:
        """When each idle cluster above its pool's MINIMUM may be retired for its idle TTL, two
        Ticks early: the cloud sees a cluster idle before the service hears of it."""
        dues = []
        for profile, idle_since in self.cloud.idle_clusters():
            pool = self.pools[profile]
            if self.ledger.live.get(profile, 0) > self._minimum(profile):
                dues.append(idle_since + pool.idle_ttl_seconds - 2 * self.scenario.cluster_tick_s)
        return dues

    def _forgetter(self) -> Any:
        while not self.done.triggered:
            yield self.env.timeout(FORGET_EVERY_S)
            for forgetting in self.forgetting:
                forgetting.forget(self.env.now)

    def _job_log_read(self) -> int:
        """Where every reader of the job service's log is: the relay and the dispatch board."""
        board = self.jobs.app.board.held
        return min(self.bus.positions["job-service"], 0 if board is None else board.position)

    def _cluster_over(self, event: IntegrationEvent) -> None:
        kept, known = cluster_records(
            str(getattr(event, "cluster_id", "")), getattr(event, "emr_cluster_id", None)
        )
        self._clusters_forget.over(kept, self.env.now)
        self._jobs_forget.over(known, self.env.now)

    def _sampler(self) -> Any:
        assert self.timeline is not None
        while not self.done.triggered:
            demand: dict[str, float] = {}
            for job in (*self.queued.values(), *self.running.values()):
                demand[job.profile] = demand.get(job.profile, 0.0) + 1 / self.slots[job.profile]
            self.timeline.sample(self.env.now, dict(self.ledger.live), demand)
            yield self.env.timeout(self.timeline.every_s)

    # What the cloud and the bus report ------------------------------------------------------

    def _aws_event(self, source: str, detail_type: str, detail: dict[str, Any]) -> None:
        self.bus.put_aws(source, detail_type, detail)

    def _step_started(self, index: int, at: float) -> None:
        job = self.queued.pop(index, None)
        if job is not None:
            self.running[index] = job
            self.waits.add(job, at - self.offset - job.submit_s)

    def _job_ended(self, event: IntegrationEvent) -> None:
        if getattr(event, "final", True) is False:
            return  # a failed attempt that will be retried
        job_id = str(getattr(event, "job_id", ""))
        index = self.ids.pop(job_id, -1)
        if self.forgetting and index >= 0:
            self._jobs_forget.over([UUID(job_id)], self.env.now)
        job = self.running.pop(index, None) or self.queued.pop(index, None)
        if job is not None and event.detail_type == "JobSucceeded":
            self.finished += 1
        self._check_done()

    def _check_done(self) -> None:
        if self.arrivals_done and not self.queued and not self.running and not self.done.triggered:
            self.done.succeed()


def peak_rss_mb() -> float:
    """This process's peak resident memory (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
