"""JobsApplication: the job service's use cases in one place, for the API, the handlers and tools.

A StoreFacade (backbone/facade.py) on the one JobStore (store.py, `app.store`), which keeps the
dispatch board current: it holds no logic; each of its use cases is the method of the use-case
object bootstrap built (jobs.py, profiles.py, listing.py, signals.py, pool_signals.py,
ticking.py), bound in one line (tenants.py for tenants).

Use cases for the API: submit, cancel, get, history, queue_position, create_profile,
update_profile, get_profile, list_profiles; register_tenant, change_tenant, add_key,
revoke_key, get_tenant, list_tenants, tenant_of_key; its queries list_jobs, job_and_waiting,
waiting_after_submit, pool_outlook; cache_profiles. For consumed events: cluster_ready,
cluster_idle, cluster_lost, allocation_rejected, step_changed, cluster_requested,
pool_limits_changed. For the schedule: tick. Every use case takes the time as `at` (the API's
and handlers' clock, or virtual time).
"""

from __future__ import annotations

from backbone.facade import StoreFacade
from job_service.application.board import DispatchBoard
from job_service.application.board_reader import BoardReader
from job_service.application.jobs import JobUseCases
from job_service.application.listing import JobQueries
from job_service.application.pool_signals import PoolSignalUseCases
from job_service.application.profile_cache import ProfileCache
from job_service.application.profiles import ProfileUseCases
from job_service.application.signals import SignalUseCases
from job_service.application.store import JobStore, serialized
from job_service.application.tenants import TenantUseCases
from job_service.application.ticking import TickUseCases


class JobsApplication(StoreFacade[JobStore]):
    """See the module docstring; bootstrap builds it."""

    def __init__(
        self,
        store: JobStore,
        board: BoardReader,
        profile_cache: ProfileCache,
        *,
        jobs: JobUseCases,
        profiles: ProfileUseCases,
        tenants: TenantUseCases,
        queries: JobQueries,
        signals: SignalUseCases,
        pool_signals: PoolSignalUseCases,
        ticks: TickUseCases,
    ) -> None:
        super().__init__(store)
        self.board = board
        self.profile_cache = profile_cache
        # A tenant's jobs.
        self.submit = jobs.submit
        self.cancel = jobs.cancel
        self.get = jobs.get
        self.history = jobs.history
        self.queue_position = jobs.queue_position
        # Job profiles.
        self.create_profile = profiles.create_profile
        self.update_profile = profiles.update_profile
        self.delete_profile = profiles.delete_profile
        self.get_profile = profiles.get_profile
        self.list_profiles = profiles.list_profiles
        # Tenants and their keys.
        self.register_tenant = tenants.register_tenant
        self.change_tenant = tenants.change_tenant
        self.add_key = tenants.add_key
        self.revoke_key = tenants.revoke_key
        self.get_tenant = tenants.get_tenant
        self.list_tenants = tenants.list_tenants
        self.tenant_of_key = tenants.tenant_of_key
        # The REST API's queries.
        self.list_jobs = queries.list_jobs
        self.job_and_waiting = queries.job_and_waiting
        self.waiting_after_submit = queries.waiting_after_submit
        self.pool_outlook = pool_signals.pool_outlook
        # Consumed events.
        self.cluster_ready = signals.cluster_ready
        self.cluster_idle = signals.cluster_idle
        self.cluster_lost = signals.cluster_lost
        self.allocation_rejected = signals.allocation_rejected
        self.step_changed = signals.step_changed
        self.cluster_requested = pool_signals.cluster_requested
        self.pool_limits_changed = pool_signals.pool_limits_changed
        # The schedule.
        self.tick = ticks.tick

    def cache_profiles(self, seconds: float) -> None:
        """Keep job profiles in memory from now on (profile_cache.py); once per process."""
        self.profile_cache.enable(seconds)

    # The dispatch board, for tests and tools.

    def current_board(self) -> DispatchBoard:
        """The board, up to date with the log (see BoardReader.current)."""
        return self.board.current()

    @serialized
    def rebuild_board(self, *, from_checkpoint: bool = False) -> DispatchBoard:
        """Forget the board and build it again: from the whole log, unless `from_checkpoint`."""
        return self.board.rebuild(from_checkpoint=from_checkpoint)
