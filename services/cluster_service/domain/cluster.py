"""The Cluster aggregate: one CloudFormation stack, one EMR cluster, a fixed number of job slots.

Its lifecycle only moves forward (see `lifecycle`): REQUESTED → PROVISIONING → STARTING →
BOOTSTRAPPING → READY ⇄ BUSY → DECOMMISSIONING → TERMINATED, or FAILED from anywhere before
TERMINATED. A stack outlives a FAILED cluster until it is deleted, so `stack_deleted` is kept apart.
"""

from datetime import datetime
from typing import Final
from uuid import UUID

from eventsourcing.domain import Aggregate

from cluster_service.domain.errors import (
    ClusterDecommissioned,
    ClusterLost,
    ClusterNotReady,
    EmrClusterMismatch,
    JobAlreadyAllocated,
    NoSuchSlot,
    SlotTaken,
)
from cluster_service.domain.lifecycle import (
    COMING,
    SERVING,
    TERMINAL,
    ClusterRequestReason,
    ClusterState,
    ClusterView,
    DecommissionReason,
    Signal,
    Target,
    emr_target,
    moves_forward,
    stack_target,
)
from cluster_service.domain.profiles import check_profile_name

SHORT_ID_LENGTH: Final = 12
"""Hex digits of the cluster id in its stack name (48 bits)."""


def stack_name_for(profile: str, cluster_id: UUID) -> str:
    """`emrcp-<profile>-<short id>`: a valid stack name, at most 59 characters."""
    return f"emrcp-{check_profile_name(profile)}-{cluster_id.hex[:SHORT_ID_LENGTH]}"


class Cluster(Aggregate):
    """One EMR cluster of a profile's pool, created and deleted as its own stack."""

    class Requested(Aggregate.Created):
        profile: str
        slots: int
        reason: str

    def __init__(self, profile: str, slots: int, reason: str) -> None:
        self.profile = profile
        self.slots = slots
        self.reason = reason
        self.state = ClusterState.REQUESTED
        self.emr_cluster_id: str | None = None
        self.jobs: dict[str, int] = {}
        """Job id → the slot it holds."""
        self.idle_since: datetime | None = None
        self.lost_job_ids: tuple[str, ...] = ()
        self.failure_reason: str | None = None
        self.stack_delete_requested = False
        self.stack_deleted = False
        self.delete_failures = 0

    @classmethod
    def request(
        cls, cluster_id: UUID, profile: str, slots: int, reason: ClusterRequestReason, at: datetime
    ) -> "Cluster":
        """A new cluster for `profile`'s pool; the caller picks the id (deterministic replays)."""
        check_profile_name(profile)
        if slots < 1:
            raise ValueError(f"slots must be at least 1, not {slots}")
        return cls._create(
            cls.Requested, id=cluster_id, profile=profile, slots=slots, reason=reason, timestamp=at
        )

    @property
    def stack_name(self) -> str:
        return stack_name_for(self.profile, self.id)

    @property
    def client_request_token(self) -> str:
        """CreateStack's token: a retried create is the same request, never a second stack."""
        return f"emrcp-create-{self.id}"

    @property
    def delete_request_token(self) -> str:
        """DeleteStack's token: the same for retries, a new one after each DELETE_FAILED."""
        return f"emrcp-delete-{self.id}-{self.delete_failures}"

    @property
    def busy_slots(self) -> int:
        return len(self.jobs)

    @property
    def free_slots(self) -> int:
        return self.slots - len(self.jobs) if self.state in SERVING else 0

    @property
    def stack_delete_pending(self) -> bool:
        """DeleteStack was asked for and the stack is not gone yet (retry it on a Tick)."""
        return self.stack_delete_requested and not self.stack_deleted

    def view(self) -> ClusterView:
        return ClusterView(
            self.id,
            self.state,
            self.slots,
            len(self.jobs),
            self.idle_since,
            self.stack_delete_requested or self.stack_deleted,
        )

    # Signals from AWS ------------------------------------------------------------------------

    def on_emr_state(self, emr_cluster_id: str, state: str, at: datetime, reason: str = "") -> None:
        """Follow an EMR cluster state; raises UnknownAwsState for a state AWS doesn't define."""
        target = emr_target(state)
        if self.emr_cluster_id is None:
            self.trigger_event(
                self.EmrClusterIdentified, emr_cluster_id=emr_cluster_id, timestamp=at
            )
        elif emr_cluster_id != self.emr_cluster_id:
            raise EmrClusterMismatch(f"{self.id} is {self.emr_cluster_id}, not {emr_cluster_id}")
        self._follow(target, at, f"EMR cluster {state}: {reason}".rstrip(": "))

    def on_stack_status(self, status: str, at: datetime, reason: str = "") -> None:
        """Follow a stack status; raises UnknownAwsState for a status AWS doesn't define."""
        self._follow(stack_target(status), at, f"stack {status}: {reason}".rstrip(": "))

    def _follow(self, target: Target, at: datetime, why: str) -> None:
        if self.state in TERMINAL:
            self._after_the_end(target, at, why)
        elif isinstance(target, ClusterState):
            if target is ClusterState.FAILED:
                self._fail(why, at)
            elif moves_forward(self.state, target):
                self.trigger_event(self.Advanced, state=target.value, timestamp=at)
        elif target is Signal.TEARDOWN and self.state is not ClusterState.DECOMMISSIONING:
            self._fail(f"lost outside the control plane ({why})", at)
        elif target is Signal.STACK_DELETED:
            if self.state is ClusterState.DECOMMISSIONING:
                self.trigger_event(self.Terminated, timestamp=at)
            else:
                self._fail(f"stack deleted outside the control plane ({why})", at, gone=True)
        elif target is Signal.DELETE_FAILED and self.stack_delete_pending:
            self.trigger_event(self.StackDeleteFailed, reason=why, timestamp=at)

    def _after_the_end(self, target: Target, at: datetime, why: str) -> None:
        """Terminal states absorb every signal; only the stack's own end is still recorded."""
        if target is Signal.STACK_DELETED and not self.stack_deleted:
            self.trigger_event(self.StackDeleted, timestamp=at)
        elif target is Signal.DELETE_FAILED and self.stack_delete_pending:
            self.trigger_event(self.StackDeleteFailed, reason=why, timestamp=at)

    def _fail(self, why: str, at: datetime, gone: bool = False) -> None:
        lost = sorted(self.jobs)
        self.trigger_event(
            self.Failed, reason=why, lost_job_ids=lost, stack_deleted=gone, timestamp=at
        )

    # Commands from the pool policy and the job service ----------------------------------------

    def decommission(self, reason: DecommissionReason, at: datetime) -> None:
        """Take no more jobs and delete the stack; a no-op once asked for or gone."""
        if self.stack_delete_requested or self.stack_deleted:
            return
        if self.state is ClusterState.TERMINATED:
            return
        lost = sorted(self.jobs)
        self.trigger_event(
            self.DecommissionRequested, reason=reason, lost_job_ids=lost, timestamp=at
        )

    def allocate(self, job_id: str, slot: int, at: datetime) -> None:
        """Give `slot` to `job_id`; a duplicate is a no-op, a refusal an AllocationRefused."""
        if self.state in SERVING and self.jobs.get(job_id) == slot:
            return
        self._check_allocation(job_id, slot)
        self.trigger_event(self.SlotAllocated, job_id=job_id, slot=slot, timestamp=at)

    def _check_allocation(self, job_id: str, slot: int) -> None:
        if self.state in COMING:
            raise ClusterNotReady(f"cluster {self.id} is {self.state}")
        if self.state is ClusterState.FAILED:
            raise ClusterLost(f"cluster {self.id} failed: {self.failure_reason}")
        if self.state not in SERVING:
            raise ClusterDecommissioned(f"cluster {self.id} is {self.state}")
        if not 0 <= slot < self.slots:
            raise NoSuchSlot(f"cluster {self.id} has slots 0..{self.slots - 1}, not {slot}")
        if job_id in self.jobs:
            raise JobAlreadyAllocated(f"job {job_id} holds slot {self.jobs[job_id]} already")
        holder = next((j for j, s in self.jobs.items() if s == slot), None)
        if holder is not None:
            raise SlotTaken(f"slot {slot} of cluster {self.id} runs job {holder}")

    def release(self, job_id: str, at: datetime) -> None:
        """The job finished and its slot is free; a job the cluster doesn't hold is ignored."""
        if job_id in self.jobs:
            self.trigger_event(self.SlotReleased, job_id=job_id, timestamp=at)

    # Events ----------------------------------------------------------------------------------

    class EmrClusterIdentified(Aggregate.Event):
        emr_cluster_id: str

        def apply(self, cluster: "Cluster") -> None:
            cluster.emr_cluster_id = self.emr_cluster_id

    class Advanced(Aggregate.Event):
        state: str

        def apply(self, cluster: "Cluster") -> None:
            cluster.state = ClusterState(self.state)
            if cluster.state is ClusterState.READY:
                cluster.idle_since = self.timestamp

    class SlotAllocated(Aggregate.Event):
        job_id: str
        slot: int

        def apply(self, cluster: "Cluster") -> None:
            cluster.jobs[self.job_id] = self.slot
            cluster.state = ClusterState.BUSY
            cluster.idle_since = None

    class SlotReleased(Aggregate.Event):
        job_id: str

        def apply(self, cluster: "Cluster") -> None:
            cluster.jobs.pop(self.job_id, None)
            if not cluster.jobs and cluster.state is ClusterState.BUSY:
                cluster.state = ClusterState.READY
                cluster.idle_since = self.timestamp

    class DecommissionRequested(Aggregate.Event):
        reason: str
        lost_job_ids: list[str]

        def apply(self, cluster: "Cluster") -> None:
            cluster.stack_delete_requested = True
            if cluster.state is not ClusterState.FAILED:
                cluster.state = ClusterState.DECOMMISSIONING
                cluster.lost_job_ids = tuple(self.lost_job_ids)
            cluster.jobs.clear()
            cluster.idle_since = None

    class Failed(Aggregate.Event):
        reason: str
        lost_job_ids: list[str]
        stack_deleted: bool

        def apply(self, cluster: "Cluster") -> None:
            cluster.state = ClusterState.FAILED
            cluster.failure_reason = self.reason
            cluster.lost_job_ids = tuple(self.lost_job_ids)
            cluster.stack_deleted = cluster.stack_deleted or self.stack_deleted
            cluster.jobs.clear()
            cluster.idle_since = None

    class Terminated(Aggregate.Event):
        def apply(self, cluster: "Cluster") -> None:
            cluster.state = ClusterState.TERMINATED
            cluster.stack_deleted = True

    class StackDeleted(Aggregate.Event):
        def apply(self, cluster: "Cluster") -> None:
            cluster.stack_deleted = True

    class StackDeleteFailed(Aggregate.Event):
        reason: str

        def apply(self, cluster: "Cluster") -> None:
            cluster.delete_failures += 1
