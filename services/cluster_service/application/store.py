"""ClusterStore: the cluster service's one eventsourcing Application, its storage and its commit.

It holds Pool, Cluster, Demand, PoolRoster, ProfileRecord, ProfileCatalog and EmrLink (and the
heartbeat's Beacon), reads them by id, and saves a change once with the consumed markers of the
events that caused it (`commit`). Its lock serializes this process's use cases. It knows no use
case and calls no AWS.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, ClassVar, Final, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import Environment, EnvType

from backbone.eventstore import AlreadyConsumed
from backbone.saving import DirectSave
from cluster_service.application.errors import Conflict
from cluster_service.domain.cluster import Cluster
from cluster_service.domain.demand import Demand
from cluster_service.domain.profiles import ClusterProfile
from cluster_service.domain.records import PoolRoster, ProfileCatalog, ProfileRecord

EVENTS_PER_SAVE: Final = 40
"""A DynamoDB transaction holds 49 events; a bigger change is saved in several."""

A = TypeVar("A")


class ClusterStore(DirectSave):
    """Storage and commit of the cluster service; see the module docstring."""

    name = "ClusterService"
    env: ClassVar[dict[str, str]] = {"AGGREGATE_CACHE_MAXSIZE": "1000"}
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {
        PoolRoster: 50,
        Demand: 100,
        ProfileCatalog: 50,
    }

    def __init__(self, env: EnvType | None = None) -> None:
        super().__init__(env)
        self.lock = threading.RLock()
        """Held by a use case from its first read to its save."""
        self._profiles: dict[UUID, tuple[int, ClusterProfile]] = {}

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Only the settings given (never os.environ): bootstrap reads the environment.
        Snapshots are on (the library's own construct_env turns them on for the intervals)."""
        return Environment(name, {**type(self).env, "IS_SNAPSHOTTING_ENABLED": "y", **(env or {})})

    # Reading.

    def get(self, aggregate_id: UUID, kind: type[A]) -> A | None:
        """The aggregate of that id if it is a `kind`, else None."""
        try:
            found: object = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, kind) else None

    def cluster(self, cluster_id: str | UUID) -> Cluster | None:
        """The cluster of that id; None for an unknown id (or text that is not one)."""
        try:
            key = cluster_id if isinstance(cluster_id, UUID) else UUID(cluster_id)
        except ValueError:
            return None
        return self.get(key, Cluster)

    def profile_of(self, record: ProfileRecord) -> ClusterProfile:
        """The record's profile, built (and validated) once per version of the record: every
        use case on a pool reads it."""
        known = self._profiles.get(record.id)
        if known is None or known[0] != record.version:
            known = self._profiles[record.id] = (record.version, record.profile)
        return known[1]

    def profile_names(self) -> list[str]:
        """Every registered profile, in order of registration."""
        catalog = self.get(ProfileCatalog.ID, ProfileCatalog)
        return [] if catalog is None else list(catalog.names)

    # Saving.

    def commit(self, aggregates: Sequence[Any], consumed: Sequence[str] = ()) -> None:
        """Save once with the consumed markers; a change too big for one transaction is split,
        markers in the last part, after a check that they are new (a duplicate writes nothing).
        AlreadyConsumed passes through; any other IntegrityError is a Conflict: retry. If a
        later part fails, the earlier ones stand: domain changes are idempotent when the event
        comes again, new clusters of a lost part were never listed and have no stack yet, and
        the roster (saved last) is what lists them. A change with no event and no marker
        writes nothing."""
        chunks: list[list[Any]] = [[]]
        size = 0
        for aggregate in aggregates:
            count = len(aggregate.pending_events)
            if count and chunks[-1] and size + count > EVENTS_PER_SAVE:
                chunks.append([])
                size = 0
            if count:
                chunks[-1].append(aggregate)
                size += count
        if not chunks[-1] and not consumed:
            return  # nothing changed and no marker to record: no write (most ticks)
        if len(chunks) > 1 and any(self._is_consumed(key) for key in consumed):
            raise AlreadyConsumed([key for key in consumed if self._is_consumed(key)])
        try:
            for chunk in chunks[:-1]:
                self.save(*chunk)
            self.save(*chunks[-1], **({"consumed": list(consumed)} if consumed else {}))
        except AlreadyConsumed:
            raise
        except IntegrityError as error:
            raise Conflict(str(error)) from error

    def _is_consumed(self, key: str) -> bool:
        check = getattr(self.recorder, "is_consumed", None)
        return bool(check(key)) if check is not None else False
