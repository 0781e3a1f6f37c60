"""Use cases for the cluster service's news about pools: clusters requested, limits changed.

They only feed the pools' outlooks (why a job waits); no job changes. Each saves its record with
the consumed marker; a record that exists already (the same cluster requested twice, under
another event id) is a no-op.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from eventsourcing.application import AggregateNotFoundError

from job_service.application.base import JobsCore, serialized
from job_service.application.pool_outlook import ClusterRequest, Outlook, PoolLimits


class PoolSignalUseCases(JobsCore):
    @serialized
    def cluster_requested(
        self,
        cluster_id: str,
        cluster_profile: str,
        requested_at: datetime,
        *,
        at: datetime,
        consumed: Sequence[str] = (),
    ) -> bool:
        """Record that a cluster of the profile is starting; False if it was known already."""
        if self._exists(ClusterRequest.id_for(cluster_id)):
            self._commit(consumed=consumed)
            return False
        self._commit(
            ClusterRequest.register(cluster_id, cluster_profile, requested_at, at),
            consumed=consumed,
        )
        return True

    @serialized
    def pool_limits_changed(
        self, cluster_profile: str, maximum: int, *, at: datetime, consumed: Sequence[str] = ()
    ) -> None:
        """Record the profile's pool MAXIMUM (unchanged values record nothing but the marker)."""
        limits: PoolLimits
        try:
            found: object = self.repository.get(PoolLimits.id_for(cluster_profile))
            assert isinstance(found, PoolLimits)
            limits = found
            limits.change(maximum, at)
        except AggregateNotFoundError:
            limits = PoolLimits.open(cluster_profile, maximum, at)
        self._commit(limits, consumed=consumed)

    @serialized
    def pool_outlook(self, cluster_profile: str, *, at: datetime) -> Outlook:
        """The profile's pool as the job service knows it now (for a waiting job's reason)."""
        return self.current_board().outlooks.outlook(cluster_profile, at)

    def _exists(self, aggregate_id: object) -> bool:
        try:
            self.repository.get(aggregate_id)  # type: ignore[arg-type]
        except AggregateNotFoundError:
            return False
        return True
