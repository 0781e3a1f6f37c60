"""The records the job service keeps of each cluster profile's pool, from the cluster service.

- ClusterRequest: a cluster was requested for a profile (from ClusterRequested), and when.
- PoolLimits: the profile's MAXIMUM as last announced (from PoolThresholdsChanged).
Each is written once per cluster-service event it comes from; with KnownCluster (ready, closed)
they feed the dispatch board's pool outlooks (application/pool_outlook.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from job_service.domain.lifecycle import aware
from job_service.domain.topics import keep_old_topics

_NAMESPACE: Final = UUID("8f0c5a2e-3d41-5b7a-9e62-1c4d7b0a9f35")


class ClusterRequest(Aggregate):
    """One requested cluster; its id derives from our cluster id, so a duplicate conflicts."""

    class Registered(Aggregate.Created):
        cluster_id: str
        cluster_profile: str
        requested_at: datetime

    def __init__(self, cluster_id: str, cluster_profile: str, requested_at: datetime) -> None:
        self.cluster_id, self.cluster_profile = cluster_id, cluster_profile
        self.requested_at = requested_at

    @staticmethod
    def id_for(cluster_id: str) -> UUID:
        return uuid5(_NAMESPACE, f"request:{cluster_id}")

    @classmethod
    def register(
        cls, cluster_id: str, cluster_profile: str, requested_at: datetime, at: datetime
    ) -> ClusterRequest:
        return cls._create(
            cls.Registered,
            id=cls.id_for(cluster_id),
            timestamp=aware(at),
            cluster_id=cluster_id,
            cluster_profile=cluster_profile,
            requested_at=aware(requested_at),
        )


class PoolLimits(Aggregate):
    """A profile's pool MAXIMUM, as the cluster service last announced it."""

    class Opened(Aggregate.Created):
        cluster_profile: str
        maximum: int

    class Changed(Aggregate.Event):
        maximum: int

        def apply(self, limits: PoolLimits) -> None:
            limits.maximum = self.maximum

    def __init__(self, cluster_profile: str, maximum: int) -> None:
        self.cluster_profile, self.maximum = cluster_profile, maximum

    @staticmethod
    def id_for(cluster_profile: str) -> UUID:
        return uuid5(_NAMESPACE, f"limits:{cluster_profile}")

    @classmethod
    def open(cls, cluster_profile: str, maximum: int, at: datetime) -> PoolLimits:
        return cls._create(
            cls.Opened,
            id=cls.id_for(cluster_profile),
            timestamp=aware(at),
            cluster_profile=cluster_profile,
            maximum=maximum,
        )

    def change(self, maximum: int, at: datetime) -> None:
        if maximum != self.maximum:
            self.trigger_event(self.Changed, timestamp=aware(at), maximum=maximum)


keep_old_topics("job_service.application.pool_outlook", ClusterRequest)
keep_old_topics("job_service.application.pool_outlook", PoolLimits)
