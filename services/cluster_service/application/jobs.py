"""Job use cases: what the job service's events mean for a pool's demand and slots.

JobSubmitted queues the job in its profile's Demand. JobAllocated gives the job the slot on the
cluster, or records a refusal (published as AllocationRejected, with the reason the domain
gives, or "unknown_cluster"). JobRequeued (and a JobFailed that is not final) frees the slot and
queues the job again; JobSucceeded, a final JobFailed and JobCancelled free the slot and forget
the job. Each runs the pool's policy afterwards, so demand turns into clusters at once.

Only JobSubmitted and JobAllocated name the profile; for the others it is the cluster's, or,
for a job on no cluster, the profile whose Demand knows the job. Each use case runs in
`PoolRunner.working_on` (news about a job no profile knows is saved directly with its marker).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cluster_service.application.runner import PoolRunner
from cluster_service.application.store import ClusterStore
from cluster_service.application.work import PoolWork
from cluster_service.domain.demand import Demand, allocation_key, cluster_of
from cluster_service.domain.errors import AllocationRefused, RejectionReason


class JobEvents:
    """What the job service's events change in the pools: demand, and slots on clusters."""

    def __init__(self, store: ClusterStore, runner: PoolRunner) -> None:
        self.store = store
        self.runner = runner

    def job_submitted(
        self, job_id: str, profile: str, at: datetime, consumed: Sequence[str] = ()
    ) -> None:
        with self.runner.working_on(profile, at, consumed) as work:
            work.jobs(at).queue(job_id, at)

    def job_allocated(
        self,
        job_id: str,
        tenant_id: str,
        cluster_id: str,
        profile: str,
        attempt: int,
        slot: int,
        at: datetime,
        consumed: Sequence[str] = (),
    ) -> RejectionReason | None:
        """None when the job holds the slot (or the news was stale), else the refusal's reason,
        recorded to be published as AllocationRejected."""
        key = allocation_key(cluster_id, attempt)
        reason: RejectionReason | None = None
        with self.runner.working_on(profile, at, consumed) as work:
            demand = work.jobs(at)
            if demand.is_stale(job_id, key):
                return None
            previous = demand.holding.get(job_id)
            if previous is not None and previous != key:  # its JobRequeued is late: it left
                self._release(work, job_id, cluster_of(previous), at)
            reason = self._allocate(work, job_id, cluster_id, slot, at)
            if reason is None:
                demand.take(job_id, key, at)
            else:
                demand.reject(job_id, tenant_id, cluster_id, attempt, reason, at)
        return reason

    def _allocate(
        self, work: PoolWork, job_id: str, cluster_id: str, slot: int, at: datetime
    ) -> RejectionReason | None:
        cluster = work.cluster(cluster_id)
        if cluster is None:
            cluster = self.store.cluster(cluster_id)  # retired: it refuses; elsewhere: unknown
            if cluster is None or cluster.profile != work.name:
                return "unknown_cluster"
        try:
            cluster.allocate(job_id, slot, at)
        except AllocationRefused as refused:
            return refused.reason
        return None

    def job_requeued(
        self,
        job_id: str,
        cluster_id: str | None,
        attempt: int,
        at: datetime,
        consumed: Sequence[str] = (),
    ) -> None:
        """The job's attempt on `cluster_id` ended and it waits again (stale news is ignored)."""
        profile = self._profile_of_job(job_id, cluster_id)
        if profile is None:
            self.store.commit([], consumed)  # not heard of yet: its JobSubmitted will queue it
            return
        key = allocation_key(cluster_id, attempt) if cluster_id else None
        with self.runner.working_on(profile, at, consumed) as work:
            demand = work.jobs(at)
            held = demand.holding.get(job_id)
            demand.requeue(job_id, key, at)
            moved_on_there = held is not None and held != key and cluster_of(held) == cluster_id
            if cluster_id and not moved_on_there:
                self._release(work, job_id, cluster_id, at)

    def job_finished(
        self, job_id: str, cluster_id: str | None, at: datetime, consumed: Sequence[str] = ()
    ) -> None:
        """Succeeded, failed for good or cancelled: free whatever slot it holds, forget it."""
        profile = self._profile_of_job(job_id, cluster_id)
        if profile is None:
            self._finished_everywhere(job_id, at, consumed)
            return
        with self.runner.working_on(profile, at, consumed) as work:
            demand = work.jobs(at)
            held = demand.holding.get(job_id)
            demand.finish(job_id, at)
            for cluster in {cluster_id, held and cluster_of(held)} - {None, ""}:
                assert cluster is not None
                self._release(work, job_id, cluster, at)

    def _release(self, work: PoolWork, job_id: str, cluster_id: str, at: datetime) -> None:
        cluster = work.cluster(cluster_id)
        if cluster is not None:
            cluster.release(job_id, at)

    def _profile_of_job(self, job_id: str, cluster_id: str | None) -> str | None:
        cluster = None if cluster_id is None else self.store.cluster(cluster_id)
        if cluster is not None:
            return cluster.profile
        for name in self.store.profile_names():
            demand = self.store.get(Demand.id_for(name), Demand)
            if demand is not None and demand.knows(job_id):
                return name
        return None

    def _finished_everywhere(self, job_id: str, at: datetime, consumed: Sequence[str]) -> None:
        """A job finished before it was heard of: every profile remembers it, so that a late
        JobSubmitted does not queue it (rare: a redelivered JobSubmitted after the cancel)."""
        with self.store.lock:
            demands = [
                self.store.get(Demand.id_for(name), Demand) or Demand.open(name, at)
                for name in self.store.profile_names()
            ]
            for demand in demands:
                demand.finish(job_id, at)
            self.store.commit(demands, consumed)
