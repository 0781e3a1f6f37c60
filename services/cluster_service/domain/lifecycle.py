"""A cluster's lifecycle states, and what each AWS signal asks of it.

The rule: the lifecycle only moves forward. A signal names a target state and the cluster moves
only when that target ranks strictly above where it is, so duplicated, late and out-of-order
signals change nothing (a STARTING after WAITING is ignored). READY and BUSY share a rank: only
slot bookkeeping moves between them. TERMINATED and FAILED are terminal and absorb every signal;
the one thing still recorded after them is that the stack is gone (DELETE_COMPLETE).
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final, Literal
from uuid import UUID

from cluster_service.domain.errors import UnknownAwsState

# These mirror events.schemas.clusters (a test keeps them equal); the domain imports only stdlib.
ClusterRequestReason = Literal["below_minimum", "queued_demand", "replacement"]
DecommissionReason = Literal["idle_timeout", "above_maximum", "unhealthy", "failed", "operator"]


class ClusterState(StrEnum):
    REQUESTED = "REQUESTED"
    PROVISIONING = "PROVISIONING"
    """The stack is being created."""
    STARTING = "STARTING"
    BOOTSTRAPPING = "BOOTSTRAPPING"
    READY = "READY"
    """EMR WAITING and no job holds a slot."""
    BUSY = "BUSY"
    """At least one job holds a slot."""
    DECOMMISSIONING = "DECOMMISSIONING"
    """The stack is being deleted; no more jobs."""
    TERMINATED = "TERMINATED"
    FAILED = "FAILED"


S = ClusterState
RANK: Final = {
    S.REQUESTED: 0,
    S.PROVISIONING: 1,
    S.STARTING: 2,
    S.BOOTSTRAPPING: 3,
    S.READY: 4,
    S.BUSY: 4,
    S.DECOMMISSIONING: 5,
    S.TERMINATED: 6,
    S.FAILED: 6,
}
COMING: Final = frozenset({S.REQUESTED, S.PROVISIONING, S.STARTING, S.BOOTSTRAPPING})
"""Capacity on its way: counts toward MINIMUM and MAXIMUM, its slots toward demand."""
SERVING: Final = frozenset({S.READY, S.BUSY})
LIVE: Final = COMING | SERVING
"""Counts toward MINIMUM."""
TERMINAL: Final = frozenset({S.TERMINATED, S.FAILED})


class Signal(StrEnum):
    """What an AWS state asks of a cluster, beyond a plain target state."""

    TEARDOWN = "TEARDOWN"
    """The cluster is going away: expected while decommissioning, a loss otherwise."""
    STACK_DELETED = "STACK_DELETED"
    DELETE_FAILED = "DELETE_FAILED"
    IGNORE = "IGNORE"


Target = ClusterState | Signal

EMR_STATES: Final[dict[str, Target]] = {
    "STARTING": S.STARTING,
    "BOOTSTRAPPING": S.BOOTSTRAPPING,
    "RUNNING": S.READY,
    "WAITING": S.READY,
    "TERMINATING": Signal.TEARDOWN,
    "TERMINATED": Signal.TEARDOWN,
    "TERMINATED_WITH_ERRORS": Signal.TEARDOWN,
}

_ROLLBACK = ("ROLLBACK_IN_PROGRESS", "ROLLBACK_FAILED", "ROLLBACK_COMPLETE")
_UNUSED = (  # we never update or import a cluster's stack
    "UPDATE_IN_PROGRESS",
    "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
    "UPDATE_COMPLETE",
    "UPDATE_FAILED",
    "UPDATE_ROLLBACK_IN_PROGRESS",
    "UPDATE_ROLLBACK_FAILED",
    "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
    "UPDATE_ROLLBACK_COMPLETE",
    "REVIEW_IN_PROGRESS",
    "IMPORT_IN_PROGRESS",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_IN_PROGRESS",
    "IMPORT_ROLLBACK_FAILED",
    "IMPORT_ROLLBACK_COMPLETE",
)
STACK_STATUSES: Final[dict[str, Target]] = {
    "CREATE_IN_PROGRESS": S.PROVISIONING,
    "CREATE_COMPLETE": S.STARTING,
    "CREATE_FAILED": S.FAILED,
    **dict.fromkeys(_ROLLBACK, S.FAILED),
    "DELETE_IN_PROGRESS": Signal.TEARDOWN,
    "DELETE_COMPLETE": Signal.STACK_DELETED,
    "DELETE_FAILED": Signal.DELETE_FAILED,
    **dict.fromkeys(_UNUSED, Signal.IGNORE),
}


def emr_target(state: str) -> Target:
    """What an EMR cluster state (DescribeCluster, "EMR Cluster State Change") asks for."""
    try:
        return EMR_STATES[state]
    except KeyError:
        raise UnknownAwsState("EMR cluster state", state) from None


def stack_target(status: str) -> Target:
    """What a CloudFormation stack status asks for."""
    try:
        return STACK_STATUSES[status]
    except KeyError:
        raise UnknownAwsState("CloudFormation stack status", status) from None


def moves_forward(current: ClusterState, target: ClusterState) -> bool:
    """The forward-only rule: only a strictly higher rank moves a cluster."""
    return RANK[target] > RANK[current]


@dataclass(frozen=True, slots=True)
class ClusterView:
    """What the pool policy needs to know of one cluster."""

    cluster_id: UUID
    state: ClusterState
    slots: int
    busy_slots: int = 0
    idle_since: datetime | None = None
    """When the cluster last had no job (READY only)."""
    stack_delete_requested: bool = False
