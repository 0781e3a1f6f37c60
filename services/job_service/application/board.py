"""The dispatch board: the in-memory state that dispatching, signals and the tick decide on.

It is a projection of the service's own notification log (Job, KnownCluster, ClusterRequest,
PoolLimits and Tenant.Changed events), applied in notification-id order: the Dispatcher's queues
(one per cluster profile), the tenants' terms, the open jobs and the slot and step each holds,
the clusters that take jobs, the steps still to cancel, and each pool's outlook (pool_outlook.py).
Start estimates for queued jobs are read from it (estimates.py).
The BoardReader (board_reader.py) builds it on first use from the newest checkpoint and the log
after it (or the whole log), applies this process's saves' recordings as they commit, and reads
whatever other processes wrote (the log after `position`) before each decision. Replaying the same
log gives the same queues in the same order: queue order depends only on stored timestamps and
notification ids (`seq` is the notification id of the job's Submitted event).

Cost and bound: reading the whole log costs one Query per LOG_PAGE events (about 1 MB each on
DynamoDB) plus decoding each: O(all events), ~8 per job, so a million jobs is ~8M notifications,
minutes: too slow for a Lambda cold start. So the tick stores a checkpoint (`checkpoint()`, in
checkpoint.py) once the board is BOARD_CHECKPOINT_EVERY notifications (default 5,000) past the
last one, and a cold start restores the newest checkpoint and reads only the log after it: O(open
jobs + K) with K at most BOARD_CHECKPOINT_EVERY plus what was written since the last tick. A
checkpoint holds the board's whole state as of its position (each queue's heaps as they lie, and
when each step was last heard of, so a restored board decides, and estimates positions, exactly
as the one that wrote it) except `steps_to_cancel`, which only the live process owes (a board
read from the log has none either).
One that is missing, unreadable or of another CHECKPOINT_VERSION is logged and the whole log read
instead.
Fair share and running quotas: the board counts each tenant's jobs holding a slot, per cluster
profile and in all, and answers the queues' `TenantShares` from them and from the tenants' terms
(`terms_of`, read at each decision, so a changed quota or weight counts from the next one).
Estimates: the board keeps each profile's last RUN_TIMES_KEPT slot-holding times (allocation to
release) for `estimate` (see there).
Memory holds open jobs only (bounded by the jobs not yet terminal, plus one entry per cluster
ever known, plus queue entries of removed jobs not yet dropped from a heap).
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields
from datetime import datetime, timedelta
from typing import Any, Final
from uuid import UUID

from job_service.application.estimates import Estimate, estimate_start
from job_service.application.pool_outlook import PoolOutlooks
from job_service.domain import (
    Allocation,
    ClusterRequest,
    Dispatcher,
    Job,
    KnownCluster,
    PoolLimits,
    Priority,
    StepRef,
)
from job_service.domain.tenancy import DEFAULT_TERMS, TenantTerms
from job_service.domain.tenant import Tenant, terms_fields, terms_from_fields

CHECKPOINT_VERSION: Final = 3
"""The layout `DispatchBoard.checkpoint` writes; a checkpoint of another version is not read.
Version 2: queues per tenant, open jobs' tenants, when each tenant last got a slot, run times.
Version 3: the tenants' terms."""
RUN_TIMES_KEPT: Final = 50
"""Slot-holding times kept per cluster profile for estimates (their median is used)."""


class CheckpointError(ValueError):
    """A checkpoint this code cannot read (another version, or not a board's state)."""


@dataclass
class OpenJob:
    """A job that is not terminal yet, as the board knows it."""

    cluster_profile: str
    priority: Priority
    seq: int
    timeout_seconds: int
    tenant_id: str = ""
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


@dataclass(frozen=True)
class Waiting:
    """What a queued job's reader is told of its wait (the board's answers, at one moment)."""

    position: int | None
    """DispatchQueue.position: None while backing off."""
    estimate: Estimate | None
    quota: str | None
    """The running quota of its tenant that holds it back, in words (None: none)."""


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
        self.tenant_terms: dict[str, TenantTerms] = {}
        self.run_times: dict[str, deque[float]] = {}
        """Per cluster profile: the last RUN_TIMES_KEPT slot-holding times, in seconds."""
        self._running: Counter[tuple[str, str]] = Counter()
        """Jobs holding a slot (or taken for one in a round not saved yet), per (tenant,
        profile); derived from `jobs` and `_taken`, so not in checkpoints."""
        self._running_all: Counter[str] = Counter()
        self._counted: dict[UUID, tuple[str, str]] = {}
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

    # Checkpoints: the board as a JSON-able value, and back.

    def checkpoint(self) -> dict[str, Any]:
        """Everything later decisions depend on, as of `position`, in JSON-able values.

        Orders that decide something (the jobs, the slot holders, the clusters, each queue's
        heaps) are lists. `steps_to_cancel` is left out: it is owed by the live process only,
        as a board rebuilt from the log does not have it either."""
        return {
            "version": CHECKPOINT_VERSION,
            "position": self.position,
            "jobs": [[str(job_id), *_open_job_row(job)] for job_id, job in self.jobs.items()],
            "clusters": [list(astuple(info)) for info in self.clusters.values()],
            "limits_of": {str(k): v for k, v in self._limits_of.items()},
            "cluster_ids": {str(k): v for k, v in self._cluster_ids.items()},
            "holders": [
                [cluster_id, [[slot, str(job_id)] for slot, job_id in held.items()]]
                for cluster_id, held in self._holders.items()
            ],
            "steps": {step_id: str(job_id) for step_id, job_id in self._steps.items()},
            "dispatcher": self.dispatcher.state(),
            "outlooks": self.outlooks.state(),
            "run_times": {profile: list(times) for profile, times in self.run_times.items()},
            "tenant_terms": {t: terms_fields(terms) for t, terms in self.tenant_terms.items()},
        }

    @classmethod
    def from_checkpoint(cls, state: dict[str, Any]) -> DispatchBoard:
        """The board `checkpoint()` described; CheckpointError if it is of another version."""
        version = state.get("version") if isinstance(state, dict) else None
        if version != CHECKPOINT_VERSION:
            raise CheckpointError(
                f"board checkpoint version {version!r} is not {CHECKPOINT_VERSION}"
            )
        board = cls()
        board.position = int(state["position"])
        board.jobs = {UUID(row[0]): _open_job(row[1:]) for row in state["jobs"]}
        board.clusters = {row[0]: ClusterInfo(*row) for row in state["clusters"]}
        board._limits_of = {UUID(k): v for k, v in state["limits_of"].items()}
        board._cluster_ids = {UUID(k): v for k, v in state["cluster_ids"].items()}
        board._holders = {
            cluster_id: {slot: UUID(job_id) for slot, job_id in held}
            for cluster_id, held in state["holders"]
        }
        board._steps = {step_id: UUID(job_id) for step_id, job_id in state["steps"].items()}
        board.dispatcher = Dispatcher.from_state(state["dispatcher"])
        board.outlooks = PoolOutlooks.from_state(state["outlooks"])
        board.run_times = {
            profile: deque(times, maxlen=RUN_TIMES_KEPT)
            for profile, times in state["run_times"].items()
        }
        for job_id, job in board.jobs.items():
            if job.cluster_id is not None:
                board._count(job_id, job)
        board.tenant_terms = {t: terms_from_fields(f) for t, f in state["tenant_terms"].items()}
        return board

    def terms_of(self, tenant_id: str) -> TenantTerms:
        return self.tenant_terms.get(tenant_id, DEFAULT_TERMS)

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
        """Clusters taking jobs, with a free slot, whose profile has a job eligible at `at`
        (of a tenant below its running quotas)."""
        return [
            info.cluster_id
            for info in self.clusters.values()
            if info.takes_jobs
            and self.free_slots(info.cluster_id, info.slots)
            and self.dispatcher.queue(info.cluster_profile).peek(
                at, self.shares(info.cluster_profile)
            )
            is not None
        ]

    def shares(self, cluster_profile: str) -> _Shares:
        """The tenants as one profile's queue sees them at a decision."""
        return _Shares(self, cluster_profile)

    def running(self, tenant_id: str, cluster_profile: str | None = None) -> int:
        """The tenant's jobs holding a slot, of one cluster profile or of all."""
        if cluster_profile is None:
            return self._running_all[tenant_id]
        return self._running[tenant_id, cluster_profile]

    def quota_reached(self, tenant_id: str, cluster_profile: str) -> str | None:
        """Which running quota keeps the tenant's jobs of `cluster_profile` queued, in words;
        None if none does."""
        quotas = self.terms_of(tenant_id).quotas
        per_profile = quotas.max_running_per_profile.get(cluster_profile)
        if per_profile is not None and self.running(tenant_id, cluster_profile) >= per_profile:
            return (
                f"tenant {tenant_id} at its limit of {per_profile} running job"
                f"{'' if per_profile == 1 else 's'} on cluster profile {cluster_profile}"
                " (max_running_per_profile)"
            )
        if quotas.max_running is not None and self.running(tenant_id) >= quotas.max_running:
            return (
                f"tenant {tenant_id} at its limit of {quotas.max_running} running job"
                f"{'' if quotas.max_running == 1 else 's'} (max_running)"
            )
        return None

    def timed_out(self, at: datetime) -> list[UUID]:
        """Jobs holding a slot past their deadline."""
        return [
            job_id
            for job_id, job in self.holding()
            if job.deadline is not None and job.deadline <= at
        ]

    def unstarted(self, before: datetime) -> list[UUID]:
        """Jobs allocated before `before` whose step was never recorded (a start that failed)."""
        return [
            job_id
            for job_id, job in self.holding()
            if job.step_id is None and job.allocated_at is not None and job.allocated_at <= before
        ]

    def unheard(self, before: datetime) -> list[UUID]:
        """Running jobs whose step was last heard of before `before`."""
        return [
            job_id
            for job_id, job in self.holding()
            if job.step_id is not None and job.heard_at is not None and job.heard_at <= before
        ]

    def heard(self, job_id: UUID, at: datetime) -> None:
        job = self.jobs.get(job_id)
        if job is not None and job.step_id is not None:
            job.heard_at = max(at, job.heard_at or at)

    def position_of(self, job_id: UUID, at: datetime) -> int | None:
        """How many jobs go before a queued one (see DispatchQueue.position)."""
        job = self.jobs.get(job_id)
        if job is None:
            return None
        queue = self.dispatcher.queue(job.cluster_profile)
        return queue.position(job_id, at, self.shares(job.cluster_profile))

    def waiting(self, job_id: UUID, at: datetime) -> Waiting | None:
        """Position, estimate and quota of a queued job; None if it is not queued."""
        job = self.jobs.get(job_id)
        if job is None or job.cluster_id is not None or job.queued_at is None:
            return None
        return Waiting(
            self.position_of(job_id, at),
            self.estimate(job_id, at),
            self.quota_reached(job.tenant_id, job.cluster_profile),
        )

    def estimate(self, job_id: UUID, at: datetime) -> Estimate | None:
        """When a queued job is expected to get a slot; None if it is not queued (estimates.py)."""
        return estimate_start(self, job_id, at)

    def slot_holders(self, cluster_id: str) -> dict[int, UUID]:
        """The jobs holding slots of a cluster, by slot."""
        return self._holders.get(cluster_id, {})

    # Dispatching: take jobs out of a queue, and put them back if the save fails.

    def take(
        self, cluster_profile: str, cluster_id: str, free: Iterable[int], at: datetime
    ) -> list[Allocation]:
        """Pair free slots of one cluster with its profile's next jobs (they leave the queue)."""
        slots = [(cluster_id, slot) for slot in free]
        taken = []
        shares = self.shares(cluster_profile)
        for allocation in self.dispatcher.allocations(cluster_profile, slots, at, shares):
            taken.append(allocation)
            self._count(allocation.job_id, self.jobs[allocation.job_id])  # seen by the next
        return taken

    def restore(self, job_ids: Iterable[UUID]) -> None:
        """Queue again jobs that `take` returned but that were not allocated after all."""
        for job_id in reversed(list(job_ids)):
            job = self.jobs.get(job_id)
            if job is not None and job.cluster_id is None and job.queued_at is not None:
                self._uncount(job_id)
                self._enqueue(job_id, job)

    # Appliers, one per stored event type.

    def _submitted(self, e: Job.Submitted, nid: int, live: bool) -> None:
        priority: Any = e.priority
        self.jobs[e.originator_id] = OpenJob(
            e.cluster_profile, priority, nid, e.timeout_seconds, e.tenant_id
        )

    def _queued(self, e: Job.Queued, nid: int, live: bool) -> None:
        job = self.jobs[e.originator_id]
        job.queued_at, job.retry_at, job.at_head = e.timestamp, None, False
        self._enqueue(e.originator_id, job)

    def _allocated(self, e: Job.Allocated, nid: int, live: bool) -> None:
        job = self.jobs[e.originator_id]
        self.dispatcher.queue(job.cluster_profile).remove(e.originator_id)
        job.cluster_id, job.slot, job.allocated_at = e.cluster_id, e.slot, e.timestamp
        self._count(e.originator_id, job)
        self._holders.setdefault(e.cluster_id, {})[e.slot] = e.originator_id

    def _started(self, e: Job.Started, nid: int, live: bool) -> None:
        job = self.jobs[e.originator_id]
        job.step_id, job.started_at, job.heard_at = e.step_id, e.timestamp, e.timestamp
        self._steps[e.step_id] = e.originator_id

    def _requeued(self, e: Job.Requeued, nid: int, live: bool) -> None:
        job = self._release(e.originator_id, e.cluster_id, e.step_to_cancel, live, e.timestamp)
        job.queued_at, job.retry_at, job.at_head = e.timestamp, e.retry_at, not e.counted
        self._enqueue(e.originator_id, job)

    def _failed(self, e: Job.Failed, nid: int, live: bool) -> None:
        self._finish(e, live)

    def _cancelled(self, e: Job.Cancelled, nid: int, live: bool) -> None:
        self._finish(e, live)

    def _succeeded(self, e: Job.Succeeded, nid: int, live: bool) -> None:
        self._finish(e, live)

    def _registered(self, e: KnownCluster.Registered, nid: int, live: bool) -> None:
        self._cluster_ids[e.originator_id] = e.cluster_id
        self.clusters[e.cluster_id] = ClusterInfo(
            e.cluster_id, e.cluster_profile, e.emr_cluster_id, e.slots
        )
        self.outlooks.became_ready(e.cluster_id, e.cluster_profile, e.timestamp)

    def _closed(self, e: KnownCluster.Closed, nid: int, live: bool) -> None:
        # A closed cluster takes no more jobs and is closed once: the board forgets it, so it
        # stays the size of what is live (its EMR id, for a late step cancel, is in the store).
        cluster_id = self._cluster_ids.pop(e.originator_id)
        del self.clusters[cluster_id]
        self.outlooks.lost(cluster_id)

    def _cluster_requested(self, e: ClusterRequest.Registered, nid: int, live: bool) -> None:
        self.outlooks.requested(e.cluster_id, e.cluster_profile, e.requested_at)

    def _pool_limits(self, e: PoolLimits.Opened | PoolLimits.Changed, nid: int, live: bool) -> None:
        profile = getattr(e, "cluster_profile", None) or self._limits_of[e.originator_id]
        self._limits_of[e.originator_id] = profile
        self.outlooks.limits(profile, e.maximum)

    def _release(
        self,
        job_id: UUID,
        cluster_id: str | None,
        step_to_cancel: str | None,
        live: bool,
        at: datetime,
    ) -> OpenJob:
        """The job gives back its slot and step at `at` (how long it held the slot is kept for
        estimates); a step left running is owed a cancel."""
        job = self.jobs[job_id]
        held = self._holders.get(job.cluster_id or "")
        if held is not None and job.slot is not None:
            held.pop(job.slot, None)
            if not held:  # a cluster nobody holds is not listed: the board stays its live size
                del self._holders[job.cluster_id or ""]
        if job.allocated_at is not None:
            held_s = max(0.0, (at - job.allocated_at).total_seconds())
            self._run_times(job.cluster_profile).append(held_s)
        self._uncount(job_id)
        self._steps.pop(job.step_id or "", None)
        if live and cluster_id and step_to_cancel:
            self.steps_to_cancel.add(StepRef(cluster_id, step_to_cancel))
        job.cluster_id = job.slot = job.step_id = None
        job.allocated_at = job.started_at = job.heard_at = None
        return job

    def _finish(self, e: Job.Failed | Job.Cancelled | Job.Succeeded, live: bool) -> None:
        """The job ended: it gives back its slot (see _release) and leaves the board."""
        cluster_id = getattr(e, "cluster_id", None)
        step_to_cancel = getattr(e, "step_to_cancel", None)
        job = self._release(e.originator_id, cluster_id, step_to_cancel, live, e.timestamp)
        self.dispatcher.queue(job.cluster_profile).remove(e.originator_id)
        del self.jobs[e.originator_id]

    def _enqueue(self, job_id: UUID, job: OpenJob) -> None:
        queue = self.dispatcher.queue(job.cluster_profile)
        assert job.queued_at is not None
        if job.at_head:
            queue.requeue_at_head(job_id, job.priority, job.queued_at, job.tenant_id)
        else:
            queue.enqueue(job_id, job.priority, job.queued_at, job.seq, job.retry_at, job.tenant_id)

    def _count(self, job_id: UUID, job: OpenJob) -> None:
        """Count the job as holding a slot of its profile (once, however often told)."""
        if job_id not in self._counted:
            key = self._counted[job_id] = (job.tenant_id, job.cluster_profile)
            self._running[key] += 1
            self._running_all[job.tenant_id] += 1

    def _uncount(self, job_id: UUID) -> None:
        key = self._counted.pop(job_id, None)
        if key is not None:
            self._running[key] -= 1
            self._running_all[key[0]] -= 1

    def _run_times(self, cluster_profile: str) -> deque[float]:
        times = self.run_times.get(cluster_profile)
        if times is None:
            times = self.run_times[cluster_profile] = deque(maxlen=RUN_TIMES_KEPT)
        return times

    def holding(self) -> list[tuple[UUID, OpenJob]]:
        return [
            (job_id, self.jobs[job_id]) for h in self._holders.values() for job_id in h.values()
        ]

    # Tenants' terms (weight, allowed priorities, quotas), from their Tenant.Changed events.

    def _tenant_changed(self, e: Tenant.Changed, nid: int, live: bool) -> None:
        self.tenant_terms[e.tenant_id] = terms_from_fields(vars(e))


class _Shares:
    """One profile's tenants for its queue: running counts, weights and running quotas."""

    __slots__ = ("_board", "_profile")

    def __init__(self, board: DispatchBoard, cluster_profile: str) -> None:
        self._board, self._profile = board, cluster_profile

    def running(self, tenant_id: str) -> int:
        return self._board.running(tenant_id, self._profile)

    def weight(self, tenant_id: str) -> float:
        return self._board.terms_of(tenant_id).weight

    def admits(self, tenant_id: str) -> bool:
        return self._board.quota_reached(tenant_id, self._profile) is None


_OPEN_JOB_TIMES: Final = frozenset(f.name for f in fields(OpenJob) if "datetime" in str(f.type))


def _open_job_row(job: OpenJob) -> list[Any]:
    """The job's fields in declaration order, times as ISO 8601 text."""
    return [value.isoformat() if isinstance(value, datetime) else value for value in astuple(job)]


def _open_job(row: list[Any]) -> OpenJob:
    values: list[Any] = [
        datetime.fromisoformat(value) if f.name in _OPEN_JOB_TIMES and value is not None else value
        for f, value in zip(fields(OpenJob), row, strict=True)
    ]
    return OpenJob(*values)


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
    Tenant.Changed: DispatchBoard._tenant_changed,
}
