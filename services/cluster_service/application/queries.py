"""Queries for the REST API: profiles, pools and clusters.

How listing works: the ProfileCatalog aggregate names every registered profile; each profile's
PoolRoster names the clusters its pool holds until their stacks are gone (and the last few
retired). So listing a pool reads its Pool, Demand, roster and the roster's clusters (a pool holds
at most MAXIMUM plus the failed ones awaiting deletion), and a cluster is always found by its id.
No query scans the notification log.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from cluster_service.application.errors import ClusterNotFound, ProfileNotFound
from cluster_service.application.store import ClusterStore
from cluster_service.application.views import ClusterSummary, PoolSummary
from cluster_service.application.work import open_pool
from cluster_service.domain.cluster import Cluster
from cluster_service.domain.profiles import ClusterProfile
from cluster_service.domain.records import PoolRoster, ProfileRecord


class ClusterQueries:
    """What the REST API reads; nothing here saves."""

    def __init__(self, store: ClusterStore) -> None:
        self.store = store

    def list_profiles(self) -> list[ClusterProfile]:
        return [self.get_profile(name) for name in self.store.profile_names()]

    def get_profile(self, name: str) -> ClusterProfile:
        record = self.store.get(ProfileRecord.id_for(name), ProfileRecord)
        if record is None:
            raise ProfileNotFound(name)
        return record.profile

    def list_pools(self, at: datetime | None = None) -> list[PoolSummary]:
        return [self.get_pool(name, at) for name in self.store.profile_names()]

    def get_pool(self, profile: str, at: datetime | None = None) -> PoolSummary:
        """The pool; its effective MINIMUM as at `at` (None: as the policy last followed)."""
        work = open_pool(self.store, profile)
        if not work.registered:
            raise ProfileNotFound(profile)
        return work.summary(at)

    def list_clusters(
        self, profile: str | None = None, *, include_retired: bool = False
    ) -> list[ClusterSummary]:
        """The clusters of one pool (or of all), oldest first; ProfileNotFound."""
        names = self.store.profile_names() if profile is None else [profile]
        found: list[Cluster] = []
        for name in names:
            roster = self.store.get(PoolRoster.id_for(name), PoolRoster)
            if roster is None:
                raise ProfileNotFound(name)
            ids = [*roster.retired, *roster.clusters] if include_retired else roster.clusters
            found += [c for c in map(self.store.cluster, ids) if c is not None]
        return [ClusterSummary.of(c) for c in sorted(found, key=_requested)]

    def get_cluster(self, cluster_id: str | UUID) -> ClusterSummary:
        cluster = self.store.cluster(cluster_id)
        if cluster is None:
            raise ClusterNotFound(cluster_id)
        return ClusterSummary.of(cluster)


def _requested(cluster: Cluster) -> tuple[object, str]:
    return (cluster.created_on, str(cluster.id))
