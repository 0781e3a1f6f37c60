"""Use cases for what the cluster service, the monitor and EMR tell the job service.

Every one takes `consumed` (the ids of the events it answers), saved with its change in one
transaction. A signal the job's current attempt does not match (StaleSignal: late, duplicated or
reordered) is acknowledged and dropped: nothing changes, but the marker is still saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Final
from uuid import UUID

from job_service.application.board_reader import BoardReader
from job_service.application.dispatching import Dispatching
from job_service.application.errors import JobNotFound
from job_service.application.store import JobStore, serialized
from job_service.domain import Job, KnownCluster, StaleSignal

STEP_ENDINGS: Final = frozenset({"COMPLETED", "FAILED", "CANCELLED", "INTERRUPTED"})
CLOSING_REJECTIONS: Final = frozenset({"decommissioning", "unknown_cluster"})
"""AllocationRejected reasons after which the cluster takes no more jobs from us."""


class SignalUseCases:
    def __init__(self, store: JobStore, board: BoardReader, dispatching: Dispatching) -> None:
        self.store = store
        self.board = board
        self.dispatching = dispatching

    @serialized
    def cluster_ready(
        self,
        cluster_id: str,
        cluster_profile: str,
        emr_cluster_id: str,
        slots: int,
        *,
        at: datetime,
        consumed: Sequence[str] = (),
    ) -> list[UUID]:
        """Record the cluster (once) and give its free slots to its profile's next jobs, then
        start them; the ids of the jobs allocated. A cluster lost meanwhile is left alone."""
        cluster = self.store.known_cluster(cluster_id) or KnownCluster.register(
            cluster_id, cluster_profile, emr_cluster_id, slots, at
        )
        return self.dispatching.dispatch_and_start(cluster, at, None, consumed)

    @serialized
    def cluster_idle(
        self, cluster_id: str, free_slots: int, *, at: datetime, consumed: Sequence[str] = ()
    ) -> list[UUID]:
        """Give up to `free_slots` slots the job service knows to be free to the next jobs.

        An idle cluster not known yet (its ClusterReady is late) is dropped: that ClusterReady
        will dispatch all its slots."""
        cluster = self.store.known_cluster(cluster_id)
        if cluster is None:
            self.store.commit(consumed=consumed)
            return []
        return self.dispatching.dispatch_and_start(cluster, at, free_slots, consumed)

    @serialized
    def cluster_lost(
        self,
        cluster_id: str,
        reason: str,
        *,
        at: datetime,
        job_ids: Iterable[str] = (),
        consumed: Sequence[str] = (),
        cancel_steps: bool = False,
    ) -> list[UUID]:
        """The cluster is gone (failed, terminated, unhealthy): it takes no more jobs, and each
        job holding one of its slots (or named in `job_ids`) ends its attempt there.
        `cancel_steps` when the cluster may still run them (unhealthy is a guess, not an end):
        a job requeued elsewhere must not also go on running here."""
        cluster = self.store.known_cluster(cluster_id)
        if cluster is None:
            cluster = KnownCluster.tombstone(cluster_id, reason, at)
        cluster.close(reason, at)
        named = [job_id for job_id in map(_uuid, job_ids) if job_id is not None]
        candidates = dict.fromkeys([*self.board.current().holders(cluster_id), *named])
        losing = (self._losing(j, cluster_id, at, cancel_steps) for j in candidates)
        jobs = [job for job in losing if job]
        self.store.commit_in_chunks([*jobs, cluster], consumed)
        self.dispatching.cancel_steps()
        return [job.id for job in jobs]

    def _losing(self, job_id: UUID, cluster_id: str, at: datetime, cancel: bool) -> Job | None:
        try:
            job = self.store.job(job_id)
            job.cluster_lost(cluster_id, at, cancel_step=cancel)
        except (JobNotFound, StaleSignal):
            return None
        return job

    @serialized
    def allocation_rejected(
        self,
        job_id: str,
        cluster_id: str,
        attempt: int,
        reason: str,
        *,
        at: datetime,
        consumed: Sequence[str] = (),
    ) -> bool:
        """The cluster service refused an allocation: the job goes back to the head of its
        queue (unless the rejection is stale). True if the job was requeued."""
        job: Job | None = None
        try:
            job = self.store.job(job_id)
            job.reject_allocation(cluster_id, attempt, at)
        except (JobNotFound, StaleSignal):
            job = None
        cluster = self.store.known_cluster(cluster_id) if reason in CLOSING_REJECTIONS else None
        if cluster is not None:
            cluster.close(f"allocation rejected: {reason}", at)
        self.store.commit(*[a for a in (job, cluster) if a is not None], consumed=consumed)
        self.dispatching.cancel_steps()
        return job is not None

    @serialized
    def step_changed(
        self,
        step_id: str,
        state: str,
        *,
        at: datetime,
        message: str | None = None,
        consumed: Sequence[str] = (),
    ) -> bool:
        """EMR's news of a step. COMPLETED, FAILED, CANCELLED and INTERRUPTED end the attempt
        of the job running it; other states only mean the step was heard of. True if a job
        changed. An unknown step's end is dropped (the tick's DescribeStep covers a step that
        ends before its start was recorded)."""
        board = self.board.current()
        job_id = board.job_of_step(step_id)
        if state not in STEP_ENDINGS:
            if job_id is not None:
                board.heard(job_id, at)
            return False
        job = None if job_id is None else self.store.job(job_id)
        ended = job is not None and end_step(job, step_id, state, message, at)
        self.store.commit(*([job] if ended else []), consumed=consumed)
        self.dispatching.cancel_steps()
        return ended


def end_step(job: Job, step_id: str, state: str, message: str | None, at: datetime) -> bool:
    """End the job's attempt as EMR's step state says; False if the signal is stale."""
    try:
        if state == "COMPLETED":
            job.step_succeeded(step_id, at)
        elif state == "FAILED":
            job.step_failed(step_id, at, message)
        elif state == "CANCELLED":
            job.step_cancelled(step_id, at)
        else:
            job.step_interrupted(step_id, at)
    except StaleSignal:
        return False
    return True


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None
