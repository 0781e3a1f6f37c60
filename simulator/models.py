"""The policies the platform's code does not express, on a simpler SimPy model of pools.

The model: per profile, clusters of `slots` slots; waiting jobs in priority order (critical
first), first come first served within a class; a job takes one slot of a ready cluster and
starts `step_overhead_s` later. Start-up, termination and step overhead come from the same
`StartupDraws` as the platform run (the n-th cluster of a profile gets the same draw), and
costs from the same `ClusterLedger`.

- `static`: `n` clusters per profile up from the start to the end, never started or stopped
  (so no start-up); `n` the fewest that meet the SLA targets, found by `search_static`.
- `static_max`: the same at the platform's MAXIMUM per profile.
- `cluster_per_job`: every job creates its own cluster (one slot used), runs once the cluster is
  WAITING and terminates it when done (the Step Functions and Airflow EMR samples' pattern).
- `ttl_only` runs on the platform's own code (MINIMUM 0), not here; `pool_model` is kept for
  the planner's search, which needs many quick runs (see simulator.plan).
- `lower_bound`: each job's run time at its share of its profile's price (price / slots per
  slot-hour), no start-up, no idle, no wait: what no policy can beat.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import simpy

from simulator.clusters import ClusterLedger, StartupDraws
from simulator.scenario import PoolSettings, Scenario
from simulator.stats import PolicyResult, Waits
from simulator.workload import PRIORITY_CLASSES, SimJob, Workload, hour_of_week

_RANK = {name: rank for rank, name in enumerate(PRIORITY_CLASSES)}


@dataclass
class _Cluster:
    profile: str
    free: int
    started_at: float
    ready: bool = False
    idle_since: float | None = None
    generation: int = 0


@dataclass
class _Pool:
    name: str
    slots: int
    settings: PoolSettings
    always_on: bool
    clusters: list[_Cluster] = field(default_factory=list)
    waiting: list[tuple[int, int, SimJob]] = field(default_factory=list)
    starting: int = 0

    @property
    def free_slots(self) -> int:
        return sum(c.free for c in self.clusters if c.ready)


class PoolModel:
    """MIN/MAX/TTL pools (always-on when `always_on`), or one cluster per job."""

    def __init__(
        self,
        scenario: Scenario,
        workload: Workload,
        pools: dict[str, PoolSettings],
        *,
        always_on: bool = False,
        per_job: bool = False,
        only: set[str] | None = None,
        schedules: dict[str, tuple[int, ...]] | None = None,
    ) -> None:
        self.scenario = scenario
        self.workload = workload
        self.env = simpy.Environment()
        self.draws = StartupDraws(scenario.startup, scenario.seed)
        specs = {p.name: p for p in scenario.profiles}
        self.only = only
        names = [p for p in workload.profiles if only is None or p in only]
        self.pools = {
            n: _Pool(n, specs[n].slots, pools.get(n) or scenario.pool(n), always_on) for n in names
        }
        self.ledger = ClusterLedger(
            {n: specs[n].price_per_hour for n in names}, {n: specs[n].slots for n in names}
        )
        self.per_job = per_job
        self.waits = Waits()
        self.jobs = 0
        self.finished = 0
        self.in_flight = 0
        self.arrivals_done = False
        self.done = self.env.event()
        self._ordinal: dict[str, int] = {}
        self._seq = itertools.count()
        self.transitions = 0
        self.schedules = schedules or {}
        """MINIMUM per hour of the week (168 values) per profile; the pool's MINIMUM is the
        larger of it and the flat one, applied `to_waiting_high_s` ahead of the hour."""

    def minimum(self, pool: _Pool, at: float) -> int:
        schedule = self.schedules.get(pool.name)
        if not schedule:
            return pool.settings.minimum
        ahead = at + self.scenario.startup.to_waiting_high_s
        return max(pool.settings.minimum, schedule[hour_of_week(self.workload.summary, ahead)])

    # Running --------------------------------------------------------------------------------

    def run(self) -> tuple[ClusterLedger, Waits, int, int]:
        for pool in [] if self.per_job else self.pools.values():
            warm = pool.settings.maximum if pool.always_on else self.minimum(pool, 0.0)
            for _ in range(warm):
                cluster = self._new_cluster(pool, ready=True)
                self._idle(pool, cluster)
        if self.schedules:
            self.env.process(self._hourly())
        self.env.process(self._arrivals(self.workload.jobs()))
        self.env.run(until=self.done)
        end = self.env.now
        for pool in self.pools.values():
            for cluster in pool.clusters:
                self.ledger.add(pool.name, end - cluster.started_at)
        return self.ledger, self.waits, self.jobs, self.finished

    def _arrivals(self, jobs: Iterator[SimJob]) -> Any:
        for job in jobs:
            pool = self.pools.get(job.profile)
            if pool is None:
                continue
            if job.submit_s > self.env.now:
                yield self.env.timeout(job.submit_s - self.env.now)
            self.jobs += 1
            self.in_flight += 1
            if self.per_job:
                self._per_job(pool, job)
                continue
            heapq.heappush(pool.waiting, (_RANK[job.priority], next(self._seq), job))
            self._dispatch(pool)
            self._grow(pool)
        self.arrivals_done = True
        self._check_done()

    def _hourly(self) -> Any:
        while not self.done.triggered:
            for pool in self.pools.values():
                while len(pool.clusters) < min(
                    pool.settings.maximum, self.minimum(pool, self.env.now)
                ):
                    self._start(pool)
            yield self.env.timeout(3600 - self.env.now % 3600)

    # MIN/MAX/TTL pools ----------------------------------------------------------------------

    def _new_cluster(self, pool: _Pool, *, ready: bool) -> _Cluster:
        cluster = _Cluster(pool.name, pool.slots, self.env.now, ready=ready)
        pool.clusters.append(cluster)
        self.ledger.start(pool.name)
        return cluster

    def _draw(self, profile: str) -> Any:
        n = self._ordinal.get(profile, 0)
        self._ordinal[profile] = n + 1
        return self.draws.draw(profile, n)

    def _grow(self, pool: _Pool) -> None:
        if pool.always_on:
            return
        want = len(pool.waiting) - pool.starting * pool.slots
        while want > 0 and len(pool.clusters) < pool.settings.maximum:
            self._start(pool)
            want -= pool.slots

    def _start(self, pool: _Pool) -> None:
        cluster = self._new_cluster(pool, ready=False)
        pool.starting += 1
        startup = self._draw(pool.name)
        self.transitions += 3
        self._at(startup.waiting_s, lambda: self._ready(pool, cluster))

    def _ready(self, pool: _Pool, cluster: _Cluster) -> None:
        pool.starting -= 1
        cluster.ready = True
        self._idle(pool, cluster)
        self._dispatch(pool)

    def _dispatch(self, pool: _Pool) -> None:
        while pool.waiting:
            cluster = next((c for c in pool.clusters if c.ready and c.free), None)
            if cluster is None:
                return
            _, _, job = heapq.heappop(pool.waiting)
            cluster.free -= 1
            cluster.idle_since = None
            cluster.generation += 1
            start = self.env.now + self.scenario.startup.step_overhead_s
            self.waits.add(job, start - job.submit_s)
            self.ledger.busy_slot_seconds += job.run_s
            self.transitions += 2
            self._at(start - self.env.now + job.run_s, lambda c=cluster: self._finish(pool, c))

    def _finish(self, pool: _Pool, cluster: _Cluster) -> None:
        cluster.free += 1
        self.finished += 1
        self.in_flight -= 1
        self._dispatch(pool)
        if cluster.free == pool.slots:
            self._idle(pool, cluster)
        self._check_done()

    def _idle(self, pool: _Pool, cluster: _Cluster) -> None:
        cluster.idle_since = self.env.now
        if pool.always_on:
            return
        generation = cluster.generation
        self._at(pool.settings.idle_ttl_seconds, lambda: self._expire(pool, cluster, generation))

    def _expire(self, pool: _Pool, cluster: _Cluster, generation: int) -> None:
        if cluster.generation != generation or cluster.free != pool.slots or not cluster.ready:
            return
        if len(pool.clusters) <= self.minimum(pool, self.env.now):
            return
        pool.clusters.remove(cluster)
        self.ledger.live[pool.name] -= 1
        self.ledger.add(pool.name, self.env.now - cluster.started_at + self._draw_stop(pool))

    def _draw_stop(self, pool: _Pool) -> float:
        return float(self.draws.draw(pool.name, self._ordinal.get(pool.name, 0)).terminate_s)

    # One cluster per job --------------------------------------------------------------------

    def _per_job(self, pool: _Pool, job: SimJob) -> None:
        self.ledger.start(pool.name)
        startup = self._draw(pool.name)
        start = startup.waiting_s + self.scenario.startup.step_overhead_s
        self.waits.add(job, start)
        self.ledger.busy_slot_seconds += job.run_s
        lifetime = start + job.run_s + startup.terminate_s
        self.transitions += 6

        def finished() -> None:
            self.ledger.live[pool.name] -= 1
            self.ledger.add(pool.name, lifetime)
            self.finished += 1
            self.in_flight -= 1
            self._check_done()

        self._at(start + job.run_s, finished)

    # Inner workings -------------------------------------------------------------------------

    def _at(self, delay: float, action: Any) -> None:
        timeout = self.env.timeout(max(0.0, delay))
        timeout.callbacks.append(lambda _: action())

    def _check_done(self) -> None:
        if self.arrivals_done and not self.in_flight and not self.done.triggered:
            self.done.succeed()


def model_result(
    name: str,
    scenario: Scenario,
    workload: Workload,
    pools: dict[str, PoolSettings],
    *,
    always_on: bool = False,
    per_job: bool = False,
    settings: dict[str, Any] | None = None,
    schedules: dict[str, tuple[int, ...]] | None = None,
) -> PolicyResult:
    started = time.perf_counter()
    model = PoolModel(
        scenario,
        workload,
        pools,
        always_on=always_on,
        per_job=per_job,
        schedules=schedules,
    )
    ledger, waits, jobs, finished = model.run()
    return PolicyResult(
        name=name,
        settings=settings if settings is not None else {p: s.as_dict() for p, s in pools.items()},
        cost_usd=ledger.cost_usd,
        cluster_hours=ledger.cluster_hours,
        clusters_started=ledger.started,
        utilization=ledger.utilization,
        jobs=jobs,
        jobs_finished=finished,
        waits=waits,
        sla=scenario.sla,
        model="model",
        elapsed_s=time.perf_counter() - started,
        events=model.transitions,
    )


def always_on(counts: dict[str, int]) -> dict[str, PoolSettings]:
    return {p: PoolSettings(n, n, 0) for p, n in counts.items()}


def search_static(scenario: Scenario, workload: Workload) -> tuple[dict[str, int], list[str]]:
    """The fewest always-on clusters per profile whose jobs meet every SLA target.

    Profiles do not share clusters, so each profile is searched on its own jobs, all profiles
    in the same pass (bisection, about log2(static_maximum) passes over the log). Meeting the
    targets on each profile's jobs meets them on all: if 95% of each part waits at most T, 95%
    of the whole does. A profile that misses even at `static_maximum` is reported in the notes.
    """
    names = list(workload.profiles)
    low = {p: 1 for p in names}
    high = {p: scenario.static_maximum for p in names}
    notes: list[str] = []
    met_at_high = _meets(scenario, workload, high)
    for p in names:
        if not met_at_high[p]:
            notes.append(f"static: {p} misses the SLA even with {high[p]} clusters always on")
            low[p] = high[p]
    while any(low[p] < high[p] for p in names):
        mid = {p: (low[p] + high[p]) // 2 for p in names}
        met = _meets(scenario, workload, mid)
        for p in names:
            if low[p] >= high[p]:
                continue
            if met[p]:
                high[p] = mid[p]
            else:
                low[p] = mid[p] + 1
    return high, notes


def _meets(scenario: Scenario, workload: Workload, counts: dict[str, int]) -> dict[str, bool]:
    """Per profile: do its jobs meet every SLA target with `counts` clusters always on?"""
    met: dict[str, bool] = {}
    models = {
        p: PoolModel(scenario, workload, always_on({p: counts[p]}), always_on=True, only={p})
        for p in workload.profiles
    }
    for p, model in models.items():
        _, waits, _, _ = model.run()
        met[p] = all(waits.p95(c) <= t for c, t in scenario.sla.items())
    return met


def lower_bound(scenario: Scenario, workload: Workload) -> PolicyResult:
    started = time.perf_counter()
    specs = {p.name: p for p in scenario.profiles}
    waits = Waits()
    cost = slot_hours = 0.0
    jobs = 0
    for job in workload.jobs():
        spec = specs[job.profile]
        jobs += 1
        waits.add(job, 0.0)
        hours = job.run_s / 3600
        slot_hours += hours
        cost += hours * spec.price_per_hour / spec.slots
    return PolicyResult(
        name="lower_bound",
        settings={"note": "each job's run time at price / slots per slot-hour"},
        cost_usd=cost,
        cluster_hours=slot_hours,
        clusters_started=0,
        utilization=1.0,
        jobs=jobs,
        jobs_finished=jobs,
        waits=waits,
        sla=scenario.sla,
        model="model",
        elapsed_s=time.perf_counter() - started,
        events=jobs,
        notes=["cluster_hours here are slot-hours of the jobs themselves"],
    )
