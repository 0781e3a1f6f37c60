"""What the service keeps beside Pool, Cluster and Demand: profiles and indexes.

- ProfileRecord: a registered ClusterProfile (the EMR shape its pool's stacks are made from).
- ProfileCatalog: the one list of registered profile names (listing pools starts here).
- PoolRoster, one per profile: the clusters its pool has until their stacks are gone (listing
  clusters, stack name → cluster), a few retired ones, the orphan stacks reported, and the SSM
  version last applied. Every cluster start adds to it, so two processes that both decide to
  start a cluster conflict on it and one retries: the pool's decisions are serialized here.
- EmrLink, one per EMR cluster id: which of our clusters runs on it.
"""

from __future__ import annotations

import dataclasses
import functools
from datetime import datetime
from typing import Any, Final
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from cluster_service.domain.moved import answer_to_old_topics
from cluster_service.domain.profiles import ClusterProfile

RECENTLY_RETIRED: Final = 50
"""Retired clusters a roster still lists (the rest are found by id)."""


@functools.lru_cache(maxsize=4096)
def record_id(kind: str, key: str) -> UUID:
    """The id a record of `kind` about `key` always has (remembered: every use case looks up
    its pool's records by id, and a UUID5 costs more than the lookup)."""
    return uuid5(NAMESPACE_URL, f"emr-control-plane:cluster-service:{kind}:{key}")


class ProfileRecord(Aggregate):
    """A registered cluster profile; an update changes the clusters started after it."""

    class Registered(Aggregate.Created):
        fields: dict[str, Any]

    def __init__(self, fields: dict[str, Any]) -> None:
        self.fields = fields

    @staticmethod
    def id_for(name: str) -> UUID:
        return record_id("profile", name)

    @classmethod
    def register(cls, profile: ClusterProfile, at: datetime) -> ProfileRecord:
        fields = dataclasses.asdict(profile)
        return cls._create(cls.Registered, id=cls.id_for(profile.name), fields=fields, timestamp=at)

    def update(self, profile: ClusterProfile, at: datetime) -> bool:
        """Record the new shape if it differs from the stored one; whether it did."""
        fields = dataclasses.asdict(profile)
        if profile == self.profile:
            return False
        self.trigger_event(self.Updated, fields=fields, timestamp=at)
        return True

    class Updated(Aggregate.Event):
        fields: dict[str, Any]

        def apply(self, record: ProfileRecord) -> None:
            record.fields = self.fields

    @property
    def profile(self) -> ClusterProfile:
        """Rebuilt from the stored fields (JSON gives lists where the profile has tuples)."""
        fields = dict(self.fields)
        fields["applications"] = tuple(fields["applications"])
        fields["extra_parameters"] = tuple(tuple(p) for p in fields["extra_parameters"])
        return ClusterProfile(**fields)


class ProfileCatalog(Aggregate):
    """The names of every registered profile, in order of registration."""

    ID: Final = record_id("catalog", "profiles")

    class Opened(Aggregate.Created):
        pass

    def __init__(self) -> None:
        self.names: list[str] = []

    @classmethod
    def open(cls, at: datetime) -> ProfileCatalog:
        return cls._create(cls.Opened, id=cls.ID, timestamp=at)

    def add(self, name: str, at: datetime) -> None:
        if name not in self.names:
            self.trigger_event(self.Added, name=name, timestamp=at)

    class Added(Aggregate.Event):
        name: str

        def apply(self, catalog: ProfileCatalog) -> None:
            catalog.names.append(self.name)


class PoolRoster(Aggregate):
    """One profile's clusters (cluster id → stack name), orphans and SSM version; see module."""

    class Opened(Aggregate.Created):
        profile: str

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.clusters: dict[str, str] = {}
        self.retired: list[str] = []
        self.orphans: dict[str, int] = {}
        """Stack name → DeleteStack requests made for it."""
        self.ssm_version: str | None = None

    @staticmethod
    def id_for(profile: str) -> UUID:
        return record_id("roster", profile)

    @classmethod
    def open(cls, profile: str, at: datetime) -> PoolRoster:
        return cls._create(cls.Opened, id=cls.id_for(profile), profile=profile, timestamp=at)

    def cluster_of_stack(self, stack_name: str) -> UUID | None:
        found = (cid for cid, name in self.clusters.items() if name == stack_name)
        return next((UUID(cid) for cid in found), None)

    def join(self, cluster_id: UUID, stack_name: str, at: datetime) -> None:
        self.trigger_event(
            self.Joined, cluster_id=str(cluster_id), stack_name=stack_name, timestamp=at
        )

    def retire(self, cluster_id: UUID, at: datetime) -> None:
        """The cluster is over and its stack gone: list it only among the recently retired."""
        if str(cluster_id) in self.clusters:
            self.trigger_event(self.Retired, cluster_id=str(cluster_id), timestamp=at)

    def orphan_found(
        self, stack_name: str, stack_id: str, status: str, emr_cluster_id: str | None, at: datetime
    ) -> None:
        if stack_name not in self.orphans:
            self.trigger_event(
                self.OrphanFound,
                stack_name=stack_name,
                stack_id=stack_id,
                stack_status=status,
                emr_cluster_id=emr_cluster_id,
                timestamp=at,
            )

    def orphan_delete_requested(self, stack_name: str, at: datetime) -> str:
        """Record one more DeleteStack for the orphan; its token (new per request)."""
        self.trigger_event(self.OrphanDeleteRequested, stack_name=stack_name, timestamp=at)
        return f"emrcp-orphan-{stack_name}-{self.orphans[stack_name]}"[:128]

    def orphan_gone(self, stack_name: str, at: datetime) -> None:
        if stack_name in self.orphans:
            self.trigger_event(self.OrphanGone, stack_name=stack_name, timestamp=at)

    def ssm_applied(self, version: str, at: datetime) -> None:
        if version != self.ssm_version:
            self.trigger_event(self.SsmApplied, version=version, timestamp=at)

    class Joined(Aggregate.Event):
        cluster_id: str
        stack_name: str

        def apply(self, roster: PoolRoster) -> None:
            roster.clusters[self.cluster_id] = self.stack_name

    class Retired(Aggregate.Event):
        cluster_id: str

        def apply(self, roster: PoolRoster) -> None:
            roster.clusters.pop(self.cluster_id, None)
            roster.retired = [*roster.retired, self.cluster_id][-RECENTLY_RETIRED:]

    class OrphanFound(Aggregate.Event):
        stack_name: str
        stack_id: str
        stack_status: str
        emr_cluster_id: str | None

        def apply(self, roster: PoolRoster) -> None:
            roster.orphans[self.stack_name] = 0

    class OrphanDeleteRequested(Aggregate.Event):
        stack_name: str

        def apply(self, roster: PoolRoster) -> None:
            roster.orphans[self.stack_name] = roster.orphans.get(self.stack_name, 0) + 1

    class OrphanGone(Aggregate.Event):
        stack_name: str

        def apply(self, roster: PoolRoster) -> None:
            roster.orphans.pop(self.stack_name, None)

    class SsmApplied(Aggregate.Event):
        version: str

        def apply(self, roster: PoolRoster) -> None:
            roster.ssm_version = self.version


class EmrLink(Aggregate):
    """EMR's cluster id → ours; written when a cluster is first identified."""

    class Linked(Aggregate.Created):
        emr_cluster_id: str
        cluster_id: str

    def __init__(self, emr_cluster_id: str, cluster_id: str) -> None:
        self.emr_cluster_id = emr_cluster_id
        self.cluster_id = cluster_id

    @staticmethod
    def id_for(emr_cluster_id: str) -> UUID:
        return record_id("emr", emr_cluster_id)

    @classmethod
    def link(cls, emr_cluster_id: str, cluster_id: UUID, at: datetime) -> EmrLink:
        return cls._create(
            cls.Linked,
            id=cls.id_for(emr_cluster_id),
            emr_cluster_id=emr_cluster_id,
            cluster_id=str(cluster_id),
            timestamp=at,
        )


answer_to_old_topics(
    "cluster_service.application.records", ProfileRecord, ProfileCatalog, PoolRoster, EmrLink
)
