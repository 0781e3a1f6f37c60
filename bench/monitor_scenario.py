"""A realistic, deterministic stream of bus events: a small platform simulated on virtual time.

Jobs arrive at random over profiles, tenants and priorities; each profile's pool starts a
cluster (5 to 8 minutes to READY) when queued jobs outnumber free and starting slots, below its
maximum; jobs are allocated highest priority first, start 2 s later and run 1 to 30 minutes;
about 1 in 20 attempts fails and is requeued, 1 in 50 jobs is cancelled while queued; clusters
idle past 10 minutes are decommissioned and terminated 2 minutes later; 1 in 25 clusters is lost
(EMR TERMINATED_WITH_ERRORS, ClusterFailed, its jobs requeued). Every service beats each minute.
Each pool's limits are announced at the start, and the small pool's maximum is raised after an
hour. `generate` returns (delivery time in seconds after T0, event) sorted by time.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from bench import monitor_events as s
from events.schemas import derived_event_id

PROFILES = {"small": 2, "medium": 4, "large": 2}
MAXIMUM = 4
PRIORITIES = ("critical", "high", "normal", "normal", "low")
TENANTS = ("acme", "globex", "initech", "umbrella", "hooli")


@dataclass
class Cluster:
    cluster_id: str
    profile: str
    slots: int
    ready: bool = False
    ended: bool = False
    jobs: dict[str, int] = field(default_factory=dict)
    """job id -> slot."""
    idle_since: float | None = None

    @property
    def free(self) -> bool:
        return len(self.jobs) < self.slots


@dataclass
class Job:
    job_id: str
    tenant: str
    profile: str
    priority: str
    attempt: int = 0
    cluster: str | None = None
    done: bool = False


class Platform:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.events: list[tuple[float, s.Event]] = []
        self.agenda: list[tuple[float, int, Callable[[float], None]]] = []
        self.clusters: dict[str, Cluster] = {}
        self.queues: dict[str, list[Job]] = {p: [] for p in PROFILES}
        self.seq = 0
        self.jobs: dict[str, Job] = {}

    def emit(self, now: float, event: s.Event) -> None:
        self.events.append((now, event))

    def later(self, when: float, action: Callable[[float], None]) -> None:
        self.seq += 1
        heapq.heappush(self.agenda, (when, self.seq, action))

    def run(self, until: float) -> None:
        while self.agenda and self.agenda[0][0] <= until:
            when, _, action = heapq.heappop(self.agenda)
            action(when)

    def arrive(self, job: Job, now: float) -> None:
        self.emit(
            now,
            s.submitted(
                job.job_id, now, tenant=job.tenant, profile=job.profile, priority=job.priority
            ),
        )
        self.enqueue(job, now)
        if self.rng.random() < 0.02:
            self.later(now + 60, lambda t: self.cancel(job, t))

    def enqueue(self, job: Job, now: float) -> None:
        self.queues[job.profile].append(job)
        self.scale(job.profile, now)
        self.dispatch(job.profile, now)

    def cancel(self, job: Job, now: float) -> None:
        if job in self.queues[job.profile]:
            self.queues[job.profile].remove(job)
            job.done = True
            self.emit(now, s.cancelled(job.job_id, now, tenant=job.tenant))

    def scale(self, profile: str, now: float) -> None:
        pool = [c for c in self.clusters.values() if c.profile == profile and not c.ended]
        capacity = sum(c.slots - len(c.jobs) for c in pool)
        if len(self.queues[profile]) > capacity and len(pool) < MAXIMUM:
            cluster = Cluster(f"{profile}-{len(self.clusters) + 1}", profile, PROFILES[profile])
            self.clusters[cluster.cluster_id] = cluster
            self.emit(now, s.requested(cluster.cluster_id, now, profile))
            self.later(now + self.rng.uniform(300, 480), lambda t: self.ready(cluster, t))

    def ready(self, cluster: Cluster, now: float) -> None:
        cluster.ready, cluster.idle_since = True, now
        self.emit(
            now, s.ready(cluster.cluster_id, now, cluster.profile, cluster.slots, emr=_emr(cluster))
        )
        self.later(now + 600, lambda t: self.reap(cluster, t))
        if self.rng.random() < 0.04:
            self.later(now + self.rng.uniform(600, 3000), lambda t: self.lose(cluster, t))
        self.dispatch(cluster.profile, now)

    def dispatch(self, profile: str, now: float) -> None:
        queue = self.queues[profile]
        queue.sort(key=lambda job: PRIORITIES.index(job.priority))
        for cluster in [c for c in self.clusters.values() if c.profile == profile]:
            while queue and cluster.ready and not cluster.ended and cluster.free:
                self.allocate(queue.pop(0), cluster, now)

    def allocate(self, job: Job, cluster: Cluster, now: float) -> None:
        job.attempt += 1
        job.cluster = cluster.cluster_id
        slot = min(set(range(cluster.slots)) - set(cluster.jobs.values()))
        cluster.jobs[job.job_id] = slot
        cluster.idle_since = None
        cid, tenant = cluster.cluster_id, job.tenant
        self.emit(
            now,
            s.allocated(
                job.job_id, now, cid, slot, tenant=tenant, profile=job.profile, attempt=job.attempt
            ),
        )
        self.emit(now + 2, s.started(job.job_id, now + 2, cid, tenant=tenant, attempt=job.attempt))
        attempt = job.attempt
        self.later(now + 2 + self.rng.uniform(60, 1800), lambda t: self.finish(job, attempt, t))

    def finish(self, job: Job, attempt: int, now: float) -> None:
        cluster = self.clusters[job.cluster or ""]
        if job.done or job.attempt != attempt or cluster.ended:
            return
        self.release(job, cluster, now)
        roll = self.rng.random()
        if roll < 0.05 and job.attempt < 3:
            self.emit(now, _requeued(job, now, "step_failed", cluster.cluster_id))
            self.later(now + 30, lambda t: self.enqueue(job, t))
            return
        job.done = True
        kind = "JobFailed" if roll < 0.07 else "JobSucceeded"
        step = f"s-{job.job_id.replace('-', '')}{job.attempt}"
        state = "FAILED" if kind == "JobFailed" else "COMPLETED"
        self.emit(now, s.emr_step_change(_emr(cluster), step, state, now))
        self.emit(now, _ended(kind, job, now, cluster.cluster_id))

    def release(self, job: Job, cluster: Cluster, now: float) -> None:
        del cluster.jobs[job.job_id]
        self.emit(
            now,
            s.event(
                "ClusterIdle",
                now,
                cluster_id=cluster.cluster_id,
                cluster_profile=cluster.profile,
                free_slots=cluster.slots - len(cluster.jobs),
            ),
        )
        if not cluster.jobs:
            cluster.idle_since = now
            self.later(now + 600, lambda t: self.reap(cluster, t))
        self.dispatch(cluster.profile, now)

    def reap(self, cluster: Cluster, now: float) -> None:
        if cluster.ended or cluster.jobs or cluster.idle_since is None:
            return
        if now - cluster.idle_since < 600:
            return
        cluster.ended = True
        self.emit(now, s.decommissioning(cluster.cluster_id, now, cluster.profile))
        self.emit(now + 120, s.terminated(cluster.cluster_id, now + 120, cluster.profile))

    def lose(self, cluster: Cluster, now: float) -> None:
        if cluster.ended:
            return
        cluster.ended = True
        lost = list(cluster.jobs)
        self.emit(now, s.emr_cluster_change(_emr(cluster), "TERMINATED_WITH_ERRORS", now))
        self.emit(
            now + 1,
            s.event(
                "ClusterFailed",
                now + 1,
                cluster_id=cluster.cluster_id,
                cluster_profile=cluster.profile,
                reason="lost",
                lost_job_ids=lost,
            ),
        )
        for job_id in lost:
            job = self.jobs[job_id]
            self.emit(now + 2, _requeued(job, now + 2, "cluster_lost", cluster.cluster_id))
            self.later(now + 32, partial(self.enqueue, job))
        cluster.jobs.clear()


def _emr(cluster: Cluster) -> str:
    return "j-" + cluster.cluster_id.replace("-", "").upper()


def _requeued(job: Job, now: float, reason: str, cluster_id: str) -> Any:
    return s.event(
        "JobRequeued",
        now,
        job_id=job.job_id,
        tenant_id=job.tenant,
        reason=reason,
        attempt=job.attempt,
        cluster_id=cluster_id,
        retry_at=s.at(now + 30),
    )


def _ended(kind: str, job: Job, now: float, cluster_id: str) -> Any:
    extra = {"reason": "step failed", "final": True} if kind == "JobFailed" else {}
    return s.event(
        kind,
        now,
        job_id=job.job_id,
        tenant_id=job.tenant,
        cluster_id=cluster_id,
        attempt=job.attempt,
        **extra,
    )


def _limits(profile: str, now: float, maximum: int) -> Any:
    return s.event(
        "PoolThresholdsChanged",
        now,
        cluster_profile=profile,
        minimum=0,
        maximum=maximum,
        idle_ttl_seconds=600,
    )


def generate(jobs: int = 300, seed: int = 7, interval: float = 20.0) -> list[tuple[float, Any]]:
    """About 11 events per job, plus three heartbeats a minute."""
    platform = Platform(seed)
    for profile in PROFILES:
        platform.emit(0.0, _limits(profile, 0.0, MAXIMUM))
    platform.emit(3600.0, _limits("small", 3600.0, MAXIMUM + 2))
    now = 0.0
    for n in range(jobs):
        now += platform.rng.expovariate(1 / interval)
        rng = platform.rng
        job = Job(
            derived_event_id("job", seed, n),
            rng.choice(TENANTS),
            rng.choice(list(PROFILES)),
            rng.choice(PRIORITIES),
        )
        platform.jobs[job.job_id] = job
        platform.later(now, partial(platform.arrive, job))
    platform.run(now + 10 * 3600)
    end = max(when for when, _ in platform.events)
    for minute in range(int(end // 60) + 1):
        for sequence, service in enumerate(("job-service", "cluster-service"), start=1):
            platform.emit(
                minute * 60.0 + sequence, s.heartbeat(service, minute * 60.0 + sequence, minute)
            )
    return sorted(platform.events, key=lambda pair: pair[0])
