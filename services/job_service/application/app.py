"""JobsApplication: every use case of the job service, on one eventsourcing Application."""

from __future__ import annotations

from job_service.application.jobs import JobUseCases
from job_service.application.listing import ListingUseCases
from job_service.application.pool_signals import PoolSignalUseCases
from job_service.application.profile_cache import CachedProfiles
from job_service.application.profiles import ProfileUseCases
from job_service.application.ticking import TickUseCases


class JobsApplication(
    ListingUseCases, CachedProfiles, TickUseCases, JobUseCases, ProfileUseCases, PoolSignalUseCases
):
    """Holds Job, JobProfile, KnownCluster, ProfileIndex, ClusterRequest and PoolLimits
    aggregates in one event store.

    Use cases for the API: submit, cancel, get, history, queue_position, create_profile,
    update_profile, get_profile, list_profiles; its queries list_jobs, job_and_position,
    position_after_submit, pool_outlook; cache_profiles. For consumed events: cluster_ready,
    cluster_idle, cluster_lost, allocation_rejected, step_changed, cluster_requested,
    pool_limits_changed. For the schedule: tick.
    Every use case takes the time as `at` (the API's and handlers' clock, or virtual time)."""

    name = "JobService"
