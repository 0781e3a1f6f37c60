"""ClustersApplication: the cluster service's use cases in one place, for the API, the handlers
and tools.

A StoreFacade (backbone/facade.py) on the one ClusterStore (store.py, `app.store`): it holds no
logic; each of its use cases is the method of a use-case object bootstrap built, bound in one
line:

- `queries` (ClusterQueries): profiles, pools and clusters for the REST API;
- `profiles` (ProfilesAndPools): seed, register and update profiles, change thresholds (API and
  ThresholdSource), keep or drop a pool's MINIMUM schedule, reconcile a pool, sync thresholds
  from the ThresholdSource (scheduled);
- `jobs` (JobEvents): what the job service's events mean for demand and slots;
- `signals` (AwsSignals): stack and EMR state changes, ClusterUnhealthy;
- `ticks` (ClusterTick): the scheduled tick.

A use case that changes a pool runs in `runner.working_on` (PoolRunner: load, change, decide,
save with `ClusterStore.commit`, then call CloudFormation); the facade holds the runner for
tests and tools. Every use case takes the time as `at` (the API's and handlers' clock, or
virtual time).
"""

from __future__ import annotations

from backbone.facade import StoreFacade
from cluster_service.application.jobs import JobEvents
from cluster_service.application.pools import ProfilesAndPools
from cluster_service.application.queries import ClusterQueries
from cluster_service.application.runner import PoolRunner
from cluster_service.application.signals import AwsSignals
from cluster_service.application.store import ClusterStore
from cluster_service.application.ticking import ClusterTick


class ClustersApplication(StoreFacade[ClusterStore]):
    """See the module docstring; bootstrap builds it (`build_application`)."""

    def __init__(
        self,
        store: ClusterStore,
        runner: PoolRunner,
        *,
        queries: ClusterQueries,
        profiles: ProfilesAndPools,
        jobs: JobEvents,
        signals: AwsSignals,
        ticks: ClusterTick,
    ) -> None:
        super().__init__(store)
        self.runner = runner
        # For the REST API.
        self.list_profiles = queries.list_profiles
        self.get_profile = queries.get_profile
        self.list_pools = queries.list_pools
        self.get_pool = queries.get_pool
        self.list_clusters = queries.list_clusters
        self.get_cluster = queries.get_cluster
        self.seed = profiles.seed
        self.register_profile = profiles.register_profile
        self.update_profile = profiles.update_profile
        self.change_thresholds = profiles.change_thresholds
        self.set_schedule = profiles.set_schedule
        self.clear_schedule = profiles.clear_schedule
        self.reconcile_pool = profiles.reconcile_pool
        # For consumed events.
        self.job_submitted = jobs.job_submitted
        self.job_allocated = jobs.job_allocated
        self.job_requeued = jobs.job_requeued
        self.job_finished = jobs.job_finished
        self.stack_status_changed = signals.stack_status_changed
        self.emr_state_changed = signals.emr_state_changed
        self.cluster_unhealthy = signals.cluster_unhealthy
        # For the schedule.
        self.tick = ticks.tick
        self.sync_thresholds = profiles.sync_thresholds
