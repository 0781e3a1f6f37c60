"""ClustersApplication: every use case of the cluster service, on one eventsourcing Application."""

from __future__ import annotations

from cluster_service.application.jobs import JobUseCases
from cluster_service.application.signals import SignalUseCases
from cluster_service.application.ticking import TickUseCases


class ClustersApplication(TickUseCases, SignalUseCases, JobUseCases):
    """Holds Pool, Cluster, Demand, PoolRoster, ProfileRecord, ProfileCatalog and EmrLink.

    For the API: seed, register_profile, change_thresholds, reconcile_pool, list_profiles,
    get_profile, list_pools, get_pool, list_clusters, get_cluster. For consumed events:
    job_submitted, job_allocated, job_requeued, job_finished, stack_status_changed,
    emr_state_changed, cluster_unhealthy. For the schedule: tick (and sync_thresholds).
    Every use case takes the time as `at` (the API's and handlers' clock, or virtual time)."""
