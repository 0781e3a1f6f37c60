"""ClustersApplication: the cluster service's store with its use cases, as callers see it.

The use cases are plain objects, one per subject, each given what it uses:

- `queries` (ClusterQueries): profiles, pools and clusters for the REST API;
- `profiles` (ProfilesAndPools): seed, register and update profiles, change thresholds (API and
  ThresholdSource), reconcile a pool;
- `jobs` (JobEvents): what the job service's events mean for demand and slots;
- `signals` (AwsSignals): stack and EMR state changes, ClusterUnhealthy;
- `ticks` (ClusterTick): the scheduled tick.

A use case that changes a pool runs in `runner.working_on` (PoolRunner: load, change, decide,
save with `ClusterStore.commit`, then call CloudFormation). The methods below are the use cases'
own, bound here so that routes, handlers and the local runtime call `app.<use case>`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from uuid import UUID, uuid4

from eventsourcing.utils import EnvType

from cluster_service.application.jobs import JobEvents
from cluster_service.application.pools import ProfilesAndPools
from cluster_service.application.ports import ClusterInspector, Provisioner, ThresholdSource
from cluster_service.application.queries import ClusterQueries
from cluster_service.application.runner import PoolRunner
from cluster_service.application.signals import AwsSignals
from cluster_service.application.store import ClusterStore
from cluster_service.application.ticking import ClusterTick


class ClustersApplication(ClusterStore):
    """The store (storage and commit) and the use cases built on it; see the module docstring.
    Every use case takes the time as `at` (the API's and handlers' clock, or virtual time)."""

    def __init__(
        self,
        env: EnvType | None = None,
        *,
        provisioner: Provisioner,
        inspector: ClusterInspector,
        template: str,
        thresholds: ThresholdSource | None = None,
        new_id: Callable[[], UUID] = uuid4,
        reconcile_after: timedelta = timedelta(minutes=5),
        delete_orphans: bool = False,
    ) -> None:
        """`template` is the stack template's text; `thresholds`: pool limits kept outside the
        service (None: only the API changes them); `new_id` names new clusters;
        `reconcile_after`: how long a cluster may go unheard of before the tick asks AWS."""
        super().__init__(env)
        self.runner = PoolRunner(self, provisioner, template, new_id)
        self.queries = ClusterQueries(self)
        self.profiles = ProfilesAndPools(self, self.runner, self.queries, thresholds)
        self.jobs = JobEvents(self, self.runner)
        self.signals = AwsSignals(self, self.runner, provisioner, inspector)
        self.ticks = ClusterTick(
            self,
            self.runner,
            self.profiles,
            provisioner,
            inspector,
            reconcile_after=reconcile_after,
            delete_orphans=delete_orphans,
        )
        # For the REST API.
        self.list_profiles = self.queries.list_profiles
        self.get_profile = self.queries.get_profile
        self.list_pools = self.queries.list_pools
        self.get_pool = self.queries.get_pool
        self.list_clusters = self.queries.list_clusters
        self.get_cluster = self.queries.get_cluster
        self.seed = self.profiles.seed
        self.register_profile = self.profiles.register_profile
        self.update_profile = self.profiles.update_profile
        self.change_thresholds = self.profiles.change_thresholds
        self.reconcile_pool = self.profiles.reconcile_pool
        # For consumed events.
        self.job_submitted = self.jobs.job_submitted
        self.job_allocated = self.jobs.job_allocated
        self.job_requeued = self.jobs.job_requeued
        self.job_finished = self.jobs.job_finished
        self.stack_status_changed = self.signals.stack_status_changed
        self.emr_state_changed = self.signals.emr_state_changed
        self.cluster_unhealthy = self.signals.cluster_unhealthy
        # For the schedule.
        self.tick = self.ticks.tick
        self.sync_thresholds = self.profiles.sync_thresholds
