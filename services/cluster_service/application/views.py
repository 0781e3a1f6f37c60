"""What queries answer: plain, immutable summaries of pools and clusters (for the REST API)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from cluster_service.domain.cluster import Cluster
from cluster_service.domain.lifecycle import SERVING
from cluster_service.domain.pool import Pool


@dataclass(frozen=True, slots=True)
class ClusterSummary:
    cluster_id: str
    profile: str
    state: str
    stack_name: str
    emr_cluster_id: str | None
    slots: int
    busy_slots: int
    free_slots: int
    jobs: dict[str, int]
    """Job id → the slot it holds."""
    request_reason: str
    requested_at: datetime
    updated_at: datetime
    idle_since: datetime | None
    failure_reason: str | None
    lost_job_ids: tuple[str, ...]
    stack_delete_requested: bool
    stack_deleted: bool

    @classmethod
    def of(cls, c: Cluster) -> ClusterSummary:
        return cls(
            cluster_id=str(c.id),
            profile=c.profile,
            state=c.state.value,
            stack_name=c.stack_name,
            emr_cluster_id=c.emr_cluster_id,
            slots=c.slots,
            busy_slots=c.busy_slots,
            free_slots=c.free_slots,
            jobs=dict(c.jobs),
            request_reason=c.reason,
            requested_at=c.created_on,
            updated_at=c.modified_on,
            idle_since=c.idle_since,
            failure_reason=c.failure_reason,
            lost_job_ids=tuple(c.lost_job_ids),
            stack_delete_requested=c.stack_delete_requested,
            stack_deleted=c.stack_deleted,
        )


@dataclass(frozen=True, slots=True)
class PoolSummary:
    profile: str
    minimum: int
    maximum: int
    idle_ttl_seconds: int
    changed_by: str
    changed_at: datetime
    slots_per_cluster: int
    queued_jobs: int
    """Jobs of the profile waiting for a slot, as far as the cluster service knows."""
    clusters_by_state: dict[str, int]
    """Clusters the pool holds (until their stacks are gone), by state."""
    free_slots: int
    effective_minimum: int
    """The MINIMUM the policy keeps now: the larger of MINIMUM and the schedule's hour."""
    schedule_time_zone: str | None = None
    schedule_minimum: tuple[int, ...] | None = None
    """The MINIMUM schedule (168 values, Monday 00:00 first, in its zone), if any."""

    @classmethod
    def of(
        cls,
        pool: Pool,
        slots: int,
        queued_jobs: int,
        clusters: Iterable[Cluster],
        at: datetime | None = None,
    ) -> PoolSummary:
        """`at`: the moment whose effective MINIMUM to show (None: the one last followed)."""
        listed = list(clusters)
        schedule = pool.schedule
        return cls(
            profile=pool.profile,
            minimum=pool.minimum,
            maximum=pool.maximum,
            idle_ttl_seconds=pool.idle_ttl_seconds,
            changed_by=pool.changed_by,
            changed_at=pool.changed_at,
            slots_per_cluster=slots,
            queued_jobs=queued_jobs,
            clusters_by_state=dict(Counter(c.state.value for c in listed)),
            free_slots=sum(c.free_slots for c in listed if c.state in SERVING),
            effective_minimum=(
                pool.effective_minimum if at is None else pool.effective_minimum_at(at)
            ),
            schedule_time_zone=None if schedule is None else schedule.time_zone,
            schedule_minimum=None if schedule is None else schedule.minimum,
        )
