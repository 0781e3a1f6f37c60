"""PoolWork: one profile's pool loaded for one use case, changed in memory, saved once.

Every use case that can change capacity runs the same way: load the pool (Pool, its roster,
its Demand, the roster's clusters), make the use case's change, let the policy decide, note what
follows (retired clusters, EMR links), save everything in one transaction with the consumed
marker, and only then call CloudFormation (`runner.PoolRunner`). What the work started and which
clusters asked for their stack's deletion are read off the aggregates (before and after), not
tracked by hand. `open_pool` loads one from the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from cluster_service.application.store import ClusterStore
from cluster_service.application.views import PoolSummary
from cluster_service.domain.cluster import Cluster
from cluster_service.domain.demand import Demand
from cluster_service.domain.lifecycle import ClusterView
from cluster_service.domain.policy import Decision
from cluster_service.domain.pool import Pool
from cluster_service.domain.profiles import ClusterProfile
from cluster_service.domain.records import PoolRoster, ProfileRecord


@dataclass
class PoolWork:
    """See the module docstring; `profile`, `pool` and `roster` are None for an unregistered
    profile (its Demand still records what the job service says about it)."""

    name: str
    demand: Demand | None = None
    """None until the profile's first job event (a registered profile always has one)."""
    profile: ClusterProfile | None = None
    pool: Pool | None = None
    roster: PoolRoster | None = None
    clusters: dict[UUID, Cluster] = field(default_factory=dict)
    others: list[Any] = field(default_factory=list)
    """Further aggregates to save (EMR links, other profiles' records)."""
    decisions: list[Decision] = field(default_factory=list)
    retry_creates: list[Cluster] = field(default_factory=list)
    retry_deletes: list[Cluster] = field(default_factory=list)
    orphan_deletes: list[tuple[str, str]] = field(default_factory=list)
    """(stack name, token) of orphan stacks to delete."""
    _before: dict[UUID, tuple[str | None, bool]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._before = {cid: _marks(c) for cid, c in self.clusters.items()}

    @property
    def registered(self) -> bool:
        return self.profile is not None and self.pool is not None and self.roster is not None

    def cluster(self, cluster_id: str | UUID) -> Cluster | None:
        """One of the pool's clusters; None for another id (or text that is not one)."""
        try:
            key = cluster_id if isinstance(cluster_id, UUID) else UUID(cluster_id)
        except ValueError:
            return None
        return self.clusters.get(key)

    def cluster_of_stack(self, stack_name: str) -> Cluster | None:
        cluster_id = None if self.roster is None else self.roster.cluster_of_stack(stack_name)
        return None if cluster_id is None else self.clusters.get(cluster_id)

    @property
    def queued_jobs(self) -> int:
        return 0 if self.demand is None else self.demand.queued_jobs

    def jobs(self, at: datetime) -> Demand:
        """The profile's Demand, opened on first use."""
        if self.demand is None:
            self.demand = Demand.open(self.name, at)
        return self.demand

    def views(self) -> list[ClusterView]:
        return [c.view() for c in self.clusters.values()]

    def add(self, cluster: Cluster, at: datetime) -> None:
        assert self.roster is not None
        self.clusters[cluster.id] = cluster
        self.roster.join(cluster.id, cluster.stack_name, at)

    def started(self) -> list[Cluster]:
        return [c for cid, c in self.clusters.items() if cid not in self._before]

    def identified(self) -> list[Cluster]:
        """Clusters whose EMR cluster became known in this work."""
        return [
            c
            for cid, c in self.clusters.items()
            if c.emr_cluster_id and (cid not in self._before or not self._before[cid][0])
        ]

    def to_delete(self) -> list[Cluster]:
        """Clusters that asked for their stack's deletion in this work, and those whose
        deletion is asked for again (a DELETE_FAILED is retried by the tick, not at once)."""
        asked = [
            c
            for cid, c in self.clusters.items()
            if c.stack_delete_requested and not self._before.get(cid, (None, False))[1]
        ]
        return asked + [c for c in self.retry_deletes if c not in asked]

    def summary(self, at: datetime | None = None) -> PoolSummary:
        """The pool now; `at`: the moment whose effective MINIMUM to show."""
        assert self.pool is not None and self.profile is not None
        return PoolSummary.of(
            self.pool, self.profile.slots, self.queued_jobs, self.clusters.values(), at
        )

    def aggregates(self) -> list[Any]:
        """In the order they are saved when a save must be split (see `ClusterStore.commit`)."""
        found = [*self.others, *self.clusters.values(), self.pool, self.demand, self.roster]
        return [a for a in found if a is not None]


def open_pool(store: ClusterStore, name: str) -> PoolWork:
    """One profile's pool as stored now (only its Demand, if any, when it is not registered)."""
    demand = store.get(Demand.id_for(name), Demand)
    record = store.get(ProfileRecord.id_for(name), ProfileRecord)
    pool = store.get(Pool.id_for(name), Pool)
    roster = store.get(PoolRoster.id_for(name), PoolRoster)
    if record is None or pool is None or roster is None:
        return PoolWork(name, demand)
    loaded = (store.get(UUID(cid), Cluster) for cid in roster.clusters)
    clusters = {c.id: c for c in loaded if c is not None}
    return PoolWork(name, demand, store.profile_of(record), pool, roster, clusters)


def _marks(c: Cluster) -> tuple[str | None, bool]:
    return (c.emr_cluster_id, c.stack_delete_requested)
