"""Use cases for the cluster service's news about pools: clusters requested, limits changed.

They only feed the pools' outlooks (why a job waits); no job changes. Each saves its record with
the consumed marker; a record that exists already (the same cluster requested twice, under
another event id) is a no-op.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from job_service.application.board_reader import BoardReader
from job_service.application.pool_outlook import Outlook
from job_service.application.store import JobStore, serialized
from job_service.domain import ClusterRequest, PoolLimits


class PoolSignalUseCases:
    def __init__(self, store: JobStore, board: BoardReader) -> None:
        self.store = store
        self.board = board

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
        if self.store.find(ClusterRequest.id_for(cluster_id)) is not None:
            self.store.commit(consumed=consumed)
            return False
        self.store.commit(
            ClusterRequest.register(cluster_id, cluster_profile, requested_at, at),
            consumed=consumed,
        )
        return True

    @serialized
    def pool_limits_changed(
        self, cluster_profile: str, maximum: int, *, at: datetime, consumed: Sequence[str] = ()
    ) -> None:
        """Record the profile's pool MAXIMUM (unchanged values record nothing but the marker)."""
        limits = self.store.find(PoolLimits.id_for(cluster_profile))
        if limits is None:
            limits = PoolLimits.open(cluster_profile, maximum, at)
        else:
            assert isinstance(limits, PoolLimits)
            limits.change(maximum, at)
        self.store.commit(limits, consumed=consumed)

    @serialized
    def pool_outlook(self, cluster_profile: str, *, at: datetime) -> Outlook:
        """The profile's pool as the job service knows it now (for a waiting job's reason)."""
        return self.board.current().outlooks.outlook(cluster_profile, at)
