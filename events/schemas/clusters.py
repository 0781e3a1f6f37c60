"""Integration events the cluster service publishes about pools, clusters and capacity."""

from typing import ClassVar, Literal, Self

from pydantic import Field, model_validator

from events.schemas.aws import StackStatus
from events.schemas.base import (
    CLUSTER_SERVICE_SOURCE,
    Attempt,
    Count,
    EmrClusterId,
    Identifier,
    IntegrationEvent,
    Reason,
    Slots,
    StackName,
)

ClusterRequestReason = Literal["below_minimum", "queued_demand", "replacement"]
DecommissionReason = Literal["idle_timeout", "above_maximum", "unhealthy", "failed", "operator"]
RejectionReason = Literal["decommissioning", "not_ready", "no_free_slot", "unknown_cluster"]


class ClusterServiceEvent(IntegrationEvent):
    """Published by the cluster service."""

    source: ClassVar[str] = CLUSTER_SERVICE_SOURCE


class ClusterEvent(ClusterServiceEvent):
    """Something that happened to one cluster of a cluster profile's pool."""

    cluster_id: Identifier
    """Our id for the cluster (one CloudFormation stack), not EMR's j-... id."""
    cluster_profile: Identifier


class ClusterRequested(ClusterEvent):
    """A stack was asked for to add a cluster to the pool."""

    detail_type: ClassVar[str] = "ClusterRequested"

    stack_name: StackName
    reason: ClusterRequestReason


class ClusterReady(ClusterEvent):
    """The cluster reached WAITING: all its slots can take jobs."""

    detail_type: ClassVar[str] = "ClusterReady"

    emr_cluster_id: EmrClusterId
    slots: Slots
    """How many jobs (EMR steps) the cluster runs at once."""


class ClusterIdle(ClusterEvent):
    """A slot of the cluster became free; the next job of the profile may take it."""

    detail_type: ClassVar[str] = "ClusterIdle"

    free_slots: Slots
    """How many of the cluster's slots are free now (at least one)."""


class ClusterDecommissioning(ClusterEvent):
    """The cluster takes no more jobs; its stack is being deleted."""

    detail_type: ClassVar[str] = "ClusterDecommissioning"

    reason: DecommissionReason


class ClusterTerminated(ClusterEvent):
    """The cluster and its stack are gone."""

    detail_type: ClassVar[str] = "ClusterTerminated"

    emr_cluster_id: EmrClusterId | None = None


class ClusterFailed(ClusterEvent):
    """The cluster failed to start or was lost; the jobs it ran must be requeued."""

    detail_type: ClassVar[str] = "ClusterFailed"

    reason: Reason
    lost_job_ids: tuple[Identifier, ...] = ()
    """Jobs that held a slot of the cluster when it was lost."""


class AllocationRejected(ClusterServiceEvent):
    """The cluster service refused a JobAllocated; the job goes back to the head of its queue."""

    detail_type: ClassVar[str] = "AllocationRejected"

    job_id: Identifier
    tenant_id: Identifier
    cluster_id: Identifier
    attempt: Attempt
    """The attempt of the rejected JobAllocated, so a stale rejection can be told apart."""
    reason: RejectionReason


class PoolThresholdsChanged(ClusterServiceEvent):
    """A cluster profile's pool got new limits, or its MINIMUM schedule (or the schedule's value
    in force) changed. MAXIMUM 0 means the pool is drained: it starts no cluster."""

    detail_type: ClassVar[str] = "PoolThresholdsChanged"

    cluster_profile: Identifier
    minimum: Count
    maximum: Count
    idle_ttl_seconds: Count
    """How long a cluster above the minimum may stay without jobs before it is deleted."""
    effective_minimum: Count | None = None
    """The MINIMUM kept from now: the larger of `minimum` and the schedule's value for the
    hour, at most `maximum`. None (events before schedules existed): `minimum`."""
    schedule_time_zone: str | None = Field(default=None, min_length=1, max_length=64)
    """The IANA zone of the pool's MINIMUM schedule; None: the pool keeps no schedule."""

    @model_validator(mode="after")
    def _minimum_within_maximum(self) -> Self:
        if self.minimum > self.maximum:
            raise ValueError(f"minimum {self.minimum} is above maximum {self.maximum}")
        if self.effective_minimum is not None and self.effective_minimum > self.maximum:
            raise ValueError(
                f"effective_minimum {self.effective_minimum} is above maximum {self.maximum}"
            )
        return self


class OrphanStackFound(ClusterServiceEvent):
    """Reconciliation found a stack of ours that no Cluster aggregate owns."""

    detail_type: ClassVar[str] = "OrphanStackFound"

    stack_name: StackName
    stack_id: str | None = Field(default=None, min_length=1)
    stack_status: StackStatus | None = None
    emr_cluster_id: EmrClusterId | None = None
    cluster_profile: Identifier | None = None
    """The pool the stack is tagged with (None in events from before it was sent)."""
