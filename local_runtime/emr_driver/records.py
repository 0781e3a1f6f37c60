"""The driver's own view of each stack, cluster and step it moves (times are the driver's clock)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .moto_objects import Cluster, Step

ENDED = ("TERMINATED", "TERMINATED_WITH_ERRORS")
STEP_DONE = ("COMPLETED", "FAILED", "CANCELLED", "INTERRUPTED")


@dataclass
class StepRecord:
    """One EMR step: PENDING → RUNNING → COMPLETED | FAILED | CANCELLED | INTERRUPTED."""

    step: Step
    added_at: float
    duration: float
    state: str = "PENDING"
    started_at: float | None = None
    ends_at: float | None = None
    fail_reason: str | None = None
    lose_cluster: bool = False
    cancel_requested: bool = False

    @property
    def id(self) -> str:
        """EMR's step id (s-...)."""
        return str(self.step.id)

    @property
    def waiting(self) -> bool:
        """PENDING (or asked to cancel before it ran)."""
        return self.state == "PENDING" or (self.state == "CANCEL_PENDING" and not self.started_at)

    @property
    def running(self) -> bool:
        """Holding one of the cluster's step slots."""
        return self.started_at is not None and self.state in ("RUNNING", "CANCEL_PENDING")


@dataclass
class ClusterRecord:
    """One EMR cluster; `phase` PROVISIONING (its stack has not started it yet), STARTING,
    BOOTSTRAPPING, READY (WAITING or RUNNING), TERMINATING or ENDED."""

    cluster: Cluster
    seq: int
    phase: str
    due: float | None = None
    state: str | None = None
    stack_id: str | None = None
    fail_start: str | None = None
    ending: tuple[str, str, str | None] | None = None
    """(final state, reason code, reason message) while TERMINATING."""
    auto_terminate: bool = False
    idle_timeout: float | None = None
    slot_time: float = 0.0
    idle_since: float | None = None
    ready_at: float | None = None
    ended_at: float | None = None
    steps: list[StepRecord] = field(default_factory=list)
    fail_next: list[str] = field(default_factory=list)
    """Failure reasons for the next steps that will be added."""
    error_request: tuple[str, str] | None = None

    @property
    def id(self) -> str:
        """EMR's cluster id (j-...)."""
        return str(self.cluster.id)

    @property
    def name(self) -> str:
        """The cluster's name."""
        return str(self.cluster.name)

    @property
    def slots(self) -> int:
        """StepConcurrencyLevel, read each time (ModifyCluster may change it)."""
        return max(1, int(self.cluster.step_concurrency_level or 1))

    @property
    def ended(self) -> bool:
        """Terminated, with or without errors."""
        return self.phase == "ENDED"

    def step(self, step_id: str) -> StepRecord | None:
        """The record of one of this cluster's steps."""
        return next((record for record in self.steps if record.id == step_id), None)

    def running(self) -> list[StepRecord]:
        """Steps holding a slot."""
        return [record for record in self.steps if record.running]

    def waiting(self) -> list[StepRecord]:
        """Steps not started yet, in the order they were added."""
        return [record for record in self.steps if record.waiting]


@dataclass(frozen=True)
class StackFailure:
    """An injected stack-creation failure."""

    reason: str
    rollback: bool = True


@dataclass
class StackRecord:
    """One CloudFormation stack: CREATE_IN_PROGRESS → CREATE_COMPLETE, ROLLBACK_*, DELETE_*."""

    stack: Any
    seq: int
    created_at: float
    state: str = "CREATE_IN_PROGRESS"
    since: float = 0.0
    cluster_ids: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    """Logical ids of the stack's clusters."""
    launched: bool = False
    failure: StackFailure | None = None

    @property
    def id(self) -> str:
        """The stack's ARN."""
        return str(self.stack.stack_id)
