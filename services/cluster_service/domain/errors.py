"""Errors of the cluster service's domain; each says what was refused and why."""

from typing import ClassVar, Literal

RejectionReason = Literal["decommissioning", "not_ready", "no_free_slot", "unknown_cluster"]
"""Mirrors events.schemas.clusters.RejectionReason (a test keeps them equal)."""


class ClusterDomainError(Exception):
    """Base of every error the cluster service's domain raises."""


class UnknownAwsState(ClusterDomainError, ValueError):
    """An EMR cluster state or CloudFormation stack status that AWS does not define."""

    def __init__(self, kind: str, state: str) -> None:
        super().__init__(f"unknown {kind}: {state!r}")
        self.kind = kind
        self.state = state


class EmrClusterMismatch(ClusterDomainError):
    """A signal about another EMR cluster than the one this cluster runs on."""


class AllocationRefused(ClusterDomainError):
    """A job may not take the slot it was given; answer AllocationRejected with `reason`."""

    reason: ClassVar[RejectionReason]


class ClusterNotReady(AllocationRefused):
    """The cluster has not reached WAITING yet."""

    reason = "not_ready"


class ClusterDecommissioned(AllocationRefused):
    """The cluster is being deleted or is gone."""

    reason = "decommissioning"


class ClusterLost(AllocationRefused):
    """The cluster failed; it takes no jobs."""

    reason = "not_ready"


class NoSuchSlot(AllocationRefused):
    """The slot number is outside 0..slots-1."""

    reason = "no_free_slot"


class SlotTaken(AllocationRefused):
    """Another job holds the slot (a slot runs at most one job)."""

    reason = "no_free_slot"


class JobAlreadyAllocated(AllocationRefused):
    """The job already holds another slot of this cluster."""

    reason = "no_free_slot"


class InvalidThresholds(ClusterDomainError, ValueError):
    """Pool limits that cannot hold; `field` names the one to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class InvalidSchedule(ClusterDomainError, ValueError):
    """A MINIMUM schedule that cannot hold; `field` names the one to fix (minimum.N: hour N)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class InvalidChangeSource(ClusterDomainError, ValueError):
    """Thresholds are changed only through the API or SSM Parameter Store."""


class InvalidClusterProfile(ClusterDomainError, ValueError):
    """A cluster profile field that EMR or CloudFormation would refuse; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
