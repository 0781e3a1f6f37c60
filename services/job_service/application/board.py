"""The dispatch board: the in-memory state that dispatching, signals and the tick decide on.

It is a projection of the service's own notification log (Job, KnownCluster, ClusterRequest and
PoolLimits events), applied in notification-id order: the Dispatcher's queues (one per cluster
profile), the open jobs and the slot and step each holds, the clusters that take jobs, the steps
still to cancel, and each pool's outlook (pool_outlook.py).
`JobsApplication` builds it on first use by reading the whole log, applies its own saves'
recordings as they commit, and reads whatever other processes wrote (the log after `position`)
before each decision. Replaying the same log gives the same queues in the same order: queue
order depends only on stored timestamps and notification ids (`seq` is the notification id of
the job's Submitted event).

Cost and bound: the first build reads every notification ever stored (one Query per LOG_PAGE
events, about 1 MB each on DynamoDB) and decodes it: O(all events), e.g. ~8 events per job, so a
million jobs is ~8M notifications, minutes of reading: fine for a long-lived consumer, too slow for
a Lambda cold start at that size. Memory holds open jobs only (bounded by the jobs not yet
terminal, plus one entry per cluster ever known). To bound the build, store a checkpoint every K
notifications (the open jobs' queue entries and the clusters at position N, as one item or a few)
and read the log after N only: build cost O(open jobs + K).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from job_service.application.clusters import KnownCluster
from job_service.application.pool_outlook import ClusterRequest, PoolLimits, PoolOutlooks
from job_service.domain import Allocation, Dispatcher, Job, Priority, StepRef


@dataclass
class OpenJob:
    """A job that is not terminal yet, as the board knows it."""

    cluster_profile: str
    priority: Priority
    seq: int
    timeout_seconds: int
    queued_at: datetime | None = None
    retry_at: datetime | None = None
    at_head: bool = False
    cluster_id: str | None = None
    slot: int | None = None
    step_id: str | None = None
    allocated_at: datetime | None = None
    started_at: datetime | None = None
    heard_at: datetime | None = None
    """When its step last reported (or was described); set when the step starts."""

    @property
    def deadline(self) -> datetime | None:
        """When the current attempt times out, as Job.deadline says."""
        began = self.started_at or self.allocated_at
        return None if began is None else began + timedelta(seconds=self.timeout_seconds)


@dataclass
class ClusterInfo:
    cluster_id: str
    cluster_profile: str
    emr_cluster_id: str
    slots: int
    takes_jobs: bool = True


class DispatchBoard:
    """See the module docstring; every method is O(1) or linear in the jobs holding slots."""

    def __init__(self) -> None:
        self.position = 0
        self.dispatcher = Dispatcher()
        self.jobs: dict[UUID, OpenJob] = {}
        self.clusters: dict[str, ClusterInfo] = {}
        self.steps_to_cancel: set[StepRef] = set()
        self.outlooks = PoolOutlooks()
        self._limits_of: dict[UUID, str] = {}
        self._cluster_ids: dict[UUID, str] = {}
        self._holders: dict[str, dict[int, UUID]] = {}
        self._steps: dict[str, UUID] = {}

    def apply(self, event: Any, notification_id: int, *, live: bool = True) -> None:
        """Apply one stored event; `live` False while rebuilding (no step cancels are owed)."""
        if notification_id <= self.position:
            return
        applier = _APPLIERS.get(type(event))
        if applier is not None:
            applier(self, event, notification_id, live)
        self.position = notification_id

    # Queries.

    def free_slots(self, cluster_id: str, slots: int) -> list[int]:
        """The slots 0..slots-1 of a cluster that no open job holds, lowest first."""
        held = self._holders.get(cluster_id, {})
        return [slot for slot in range(slots) if slot not in held]

    def holders(self, cluster_id: str) -> list[UUID]:
        return list(self._holders.get(cluster_id, {}).values())

    def job_of_step(self, step_id: str) -> UUID | None:
        return self._steps.get(step_id)

    def dispatchable(self, at: datetime) -> list[str]:
        """Clusters taking jobs, with a free slot, whose profile has a job eligible at `at`."""
        return [
            info.cluster_id
            for info in self.clusters.values()
            if info.takes_jobs
            and self.free_slots(info.cluster_id, info.slots)
            and self.dispatcher.queue(info.cluster_profile).peek(at) is not None
        ]

    def timed_out(self, at: datetime) -> list[UUID]:
        """Jobs holding a slot past their deadline."""
        return [
            job_id for job_id, job in self._holding()
            if job.deadline is not None and job.deadline <= at
        ]  # fmt: skip

    def unstarted(self, before: datetime) -> list[UUID]:
        """Jobs allocated before `before` whose step was never recorded (a start that failed)."""
        return [
            job_id for job_id, job in self._holding()
            if job.step_id is None and job.allocated_at is not None and job.allocated_at <= before
        ]  # fmt: skip

    def unheard(self, before: datetime) -> list[UUID]:
        """Running jobs whose step was last heard of before `before`."""
        return [
            job_id for job_id, job in self._holding()
            if job.step_id is not None and job.heard_at is not None and job.heard_at <= before
        ]  # fmt: skip

    def heard(self, job_id: UUID, at: datetime) -> None:
        job = self.jobs.get(job_id)
        if job is not None and job.step_id is not None:
            job.heard_at = max(at, job.heard_at or at)

    def position_of(self, job_id: UUID, at: datetime) -> int | None:
        """How many jobs go before a queued one (see DispatchQueue.position)."""
        job = self.jobs.get(job_id)
        queue = None if job is None else self.dispatcher.queue(job.cluster_profile)
        return None if queue is None else queue.position(job_id, at)

    # Dispatching: take jobs out of a queue, and put them back if the save fails.

    def take(
        self, cluster_profile: str, cluster_id: str, free: Iterable[int], at: datetime
    ) -> list[Allocation]:
        """Pair free slots of one cluster with its profile's next jobs (they leave the queue)."""
        slots = [(cluster_id, slot) for slot in free]
        return list(self.dispatcher.allocations(cluster_profile, slots, at))

    def restore(self, job_ids: Iterable[UUID]) -> None:
        """Queue again jobs that `take` returned but that were not allocated after all."""
        for job_id in reversed(list(job_ids)):
            job = self.jobs.get(job_id)
            if job is not None and job.cluster_id is None and job.queued_at is not None:
                self._enqueue(job_id, job)

    # Appliers, one per stored event type.

    def _submitted(self, e: Job.Submitted, nid: int, live: bool) -> None:
        priority: Any = e.priority
        self.jobs[e.originator_id] = OpenJob(e.cluster_profile, priority, nid, e.timeout_seconds)

    def _queued(self, e: Job.Queued, nid: int, live: bool) -> None:
        job = self.jobs[e.originator_id]
        job.queued_at, job.retry_at, job.at_head = e.timestamp, None, False
        self._enqueue(e.originator_id, job)

    def _allocated(self, e: Job.Allocated, nid: int, live: bool) -> None:
        job = self.jobs[e.originator_id]
        self.dispatcher.queue(job.cluster_profile).remove(e.originator_id)
        job.cluster_id, job.slot, job.allocated_at = e.cluster_id, e.slot, e.timestamp
        self._holders.setdefault(e.cluster_id, {})[e.slot] = e.originator_id

    def _started(self, e: Job.Started, nid: int, live: bool) -> None:
        job = self.jobs[e.originator_id]
        job.step_id, job.started_at, job.heard_at = e.step_id, e.timestamp, e.timestamp
        self._steps[e.step_id] = e.originator_id

    def _requeued(self, e: Job.Requeued, nid: int, live: bool) -> None:
        job = self._release(e.originator_id, e.cluster_id, e.step_to_cancel, live)
        job.queued_at, job.retry_at, job.at_head = e.timestamp, e.retry_at, not e.counted
        self._enqueue(e.originator_id, job)

    def _failed(self, e: Job.Failed, nid: int, live: bool) -> None:
        self._finish(e.originator_id, e.cluster_id, e.step_to_cancel, live)

    def _cancelled(self, e: Job.Cancelled, nid: int, live: bool) -> None:
        self._finish(e.originator_id, e.cluster_id, e.step_to_cancel, live)

    def _succeeded(self, e: Job.Succeeded, nid: int, live: bool) -> None:
        self._finish(e.originator_id, None, None, live)

    def _registered(self, e: KnownCluster.Registered, nid: int, live: bool) -> None:
        self._cluster_ids[e.originator_id] = e.cluster_id
        self.clusters[e.cluster_id] = ClusterInfo(
            e.cluster_id, e.cluster_profile, e.emr_cluster_id, e.slots
        )
        self.outlooks.became_ready(e.cluster_id, e.cluster_profile, e.timestamp)

    def _closed(self, e: KnownCluster.Closed, nid: int, live: bool) -> None:
        cluster_id = self._cluster_ids[e.originator_id]
        self.clusters[cluster_id].takes_jobs = False
        self.outlooks.lost(cluster_id)

    def _cluster_requested(self, e: ClusterRequest.Registered, nid: int, live: bool) -> None:
        self.outlooks.requested(e.cluster_id, e.cluster_profile, e.requested_at)

    def _pool_limits(self, e: PoolLimits.Opened | PoolLimits.Changed, nid: int, live: bool) -> None:
        profile = getattr(e, "cluster_profile", None) or self._limits_of[e.originator_id]
        self._limits_of[e.originator_id] = profile
        self.outlooks.limits(profile, e.maximum)

    def _release(
        self, job_id: UUID, cluster_id: str | None, step_to_cancel: str | None, live: bool
    ) -> OpenJob:
        """The job gives back its slot and step; a step left running is owed a cancel."""
        job = self.jobs[job_id]
        if job.cluster_id is not None and job.slot is not None:
            self._holders.get(job.cluster_id, {}).pop(job.slot, None)
        self._steps.pop(job.step_id or "", None)
        if live and cluster_id and step_to_cancel:
            self.steps_to_cancel.add(StepRef(cluster_id, step_to_cancel))
        job.cluster_id = job.slot = job.step_id = None
        job.allocated_at = job.started_at = job.heard_at = None
        return job

    def _finish(
        self, job_id: UUID, cluster_id: str | None, step_to_cancel: str | None, live: bool
    ) -> None:
        job = self._release(job_id, cluster_id, step_to_cancel, live)
        self.dispatcher.queue(job.cluster_profile).remove(job_id)
        del self.jobs[job_id]

    def _enqueue(self, job_id: UUID, job: OpenJob) -> None:
        queue = self.dispatcher.queue(job.cluster_profile)
        assert job.queued_at is not None
        if job.at_head:
            queue.requeue_at_head(job_id, job.priority, job.queued_at)
        else:
            queue.enqueue(job_id, job.priority, job.queued_at, job.seq, job.retry_at)

    def _holding(self) -> list[tuple[UUID, OpenJob]]:
        return [
            (job_id, self.jobs[job_id]) for h in self._holders.values() for job_id in h.values()
        ]


_APPLIERS: dict[type, Any] = {
    Job.Submitted: DispatchBoard._submitted,
    Job.Queued: DispatchBoard._queued,
    Job.Allocated: DispatchBoard._allocated,
    Job.Started: DispatchBoard._started,
    Job.Requeued: DispatchBoard._requeued,
    Job.Failed: DispatchBoard._failed,
    Job.Cancelled: DispatchBoard._cancelled,
    Job.Succeeded: DispatchBoard._succeeded,
    KnownCluster.Registered: DispatchBoard._registered,
    KnownCluster.Closed: DispatchBoard._closed,
    ClusterRequest.Registered: DispatchBoard._cluster_requested,
    PoolLimits.Opened: DispatchBoard._pool_limits,
    PoolLimits.Changed: DispatchBoard._pool_limits,
}
