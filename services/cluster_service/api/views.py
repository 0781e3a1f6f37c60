"""What the API answers: response models, and how profiles, pools and clusters become them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from cluster_service.application import ClusterSummary, PoolSummary
from cluster_service.domain.profiles import ClusterProfile


class View(BaseModel):
    """Base of the response models (field docstrings become their descriptions)."""

    model_config = ConfigDict(use_attribute_docstrings=True)


class ProfileView(View):
    name: str
    release_label: str
    applications: list[str]
    master_instance_type: str
    core_instance_type: str
    core_instance_count: int
    task_instance_type: str | None
    task_instance_count: int
    step_concurrency: int
    """Slots per cluster."""
    idle_timeout_seconds: int


class ProfileList(View):
    profiles: list[ProfileView]


class ScheduleView(View):
    time_zone: str
    """The IANA zone whose local hours the schedule counts."""
    minimum: list[int]
    """168 values, Monday 00:00-01:00 local time first."""


class PoolView(View):
    profile: str
    minimum: int
    maximum: int
    idle_ttl_seconds: int
    changed_by: str
    """Who set the thresholds last: api or ssm."""
    changed_at: datetime
    slots_per_cluster: int
    queued_jobs: int
    """Jobs of the profile waiting for a slot, as far as the cluster service knows."""
    clusters_by_state: dict[str, int]
    """Clusters the pool holds (until their stacks are gone), by state."""
    free_slots: int
    effective_minimum: int
    """The MINIMUM kept now: the larger of minimum and the schedule's value for this hour."""
    schedule: ScheduleView | None
    """The MINIMUM schedule, if the pool keeps one."""


class PoolList(View):
    pools: list[PoolView]


class ProfileCreated(View):
    """201 to POST /cluster-profiles."""

    profile: ProfileView
    pool: PoolView


class ClusterView(View):
    cluster_id: str
    profile: str
    state: str
    stack_name: str
    emr_cluster_id: str | None
    slots: int
    busy_slots: int
    free_slots: int
    jobs: dict[str, int]
    """Job id -> the slot it holds."""
    request_reason: str
    requested_at: datetime
    updated_at: datetime
    idle_since: datetime | None
    failure_reason: str | None
    lost_job_ids: list[str]
    stack_delete_requested: bool
    stack_deleted: bool


class ClusterList(View):
    """GET /clusters: oldest first."""

    clusters: list[ClusterView]


def profile_view(profile: ClusterProfile) -> ProfileView:
    return ProfileView(
        name=profile.name,
        release_label=profile.release_label,
        applications=list(profile.applications),
        master_instance_type=profile.master_instance_type,
        core_instance_type=profile.core_instance_type,
        core_instance_count=profile.core_instance_count,
        task_instance_type=profile.task_instance_type,
        task_instance_count=profile.task_instance_count,
        step_concurrency=profile.step_concurrency,
        idle_timeout_seconds=profile.idle_timeout_seconds,
    )


def pool_view(pool: PoolSummary) -> PoolView:
    return PoolView(
        profile=pool.profile,
        minimum=pool.minimum,
        maximum=pool.maximum,
        idle_ttl_seconds=pool.idle_ttl_seconds,
        changed_by=pool.changed_by,
        changed_at=pool.changed_at,
        slots_per_cluster=pool.slots_per_cluster,
        queued_jobs=pool.queued_jobs,
        clusters_by_state=dict(pool.clusters_by_state),
        free_slots=pool.free_slots,
        effective_minimum=pool.effective_minimum,
        schedule=(
            None
            if pool.schedule_time_zone is None or pool.schedule_minimum is None
            else ScheduleView(
                time_zone=pool.schedule_time_zone, minimum=list(pool.schedule_minimum)
            )
        ),
    )


def cluster_view(c: ClusterSummary) -> ClusterView:
    return ClusterView(
        cluster_id=c.cluster_id,
        profile=c.profile,
        state=c.state,
        stack_name=c.stack_name,
        emr_cluster_id=c.emr_cluster_id,
        slots=c.slots,
        busy_slots=c.busy_slots,
        free_slots=c.free_slots,
        jobs=dict(c.jobs),
        request_reason=c.request_reason,
        requested_at=c.requested_at,
        updated_at=c.updated_at,
        idle_since=c.idle_since,
        failure_reason=c.failure_reason,
        lost_job_ids=list(c.lost_job_ids),
        stack_delete_requested=c.stack_delete_requested,
        stack_deleted=c.stack_deleted,
    )
