"""What every use case of the cluster service shares: storage, the pool's unit of work, stacks.

The use cases are grouped by subject in mixins of `ClustersCore` (pools, jobs, AWS signals, the
tick, queries); `ClustersApplication` puts them together. A use case that changes a pool runs in
`_working_on(profile, at, consumed)`: see `work.PoolWork`. Stacks are created and deleted only
after the save; if that call fails (or the process dies first), the tick repairs it: a cluster
still REQUESTED without a stack is created again (same token, same name), a pending delete is
asked for again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, ClassVar, Final, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import Environment, EnvType

from backbone.eventstore import AlreadyConsumed
from cluster_service.adapters.inspector import ClusterInspector
from cluster_service.adapters.provisioner import CLUSTER_ID_TAG, POOL_TAG, Provisioner
from cluster_service.adapters.thresholds import ThresholdSource
from cluster_service.application.demand import Demand
from cluster_service.application.errors import Conflict
from cluster_service.application.records import EmrLink, PoolRoster, ProfileCatalog, ProfileRecord
from cluster_service.application.work import PoolWork
from cluster_service.domain.cluster import Cluster
from cluster_service.domain.lifecycle import TERMINAL
from cluster_service.domain.pool import Pool, StartCluster, decide
from cluster_service.domain.profiles import ClusterProfile

logger = logging.getLogger(__name__)

EVENTS_PER_SAVE: Final = 40
"""A DynamoDB transaction holds 49 events; a bigger change is saved in several."""
STARTS_PER_PASS: Final = 16
"""Clusters one pass may start; a burst beyond it is started by the next event or tick."""

A = TypeVar("A")


class ClustersCore(Application[UUID]):
    """Storage, the unit of work and the stack calls; see the module docstring."""

    name = "ClusterService"
    env: ClassVar[dict[str, str]] = {"AGGREGATE_CACHE_MAXSIZE": "1000"}
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {
        PoolRoster: 50,
        Demand: 100,
        ProfileCatalog: 50,
    }

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
        """`template` is the stack template's text; `reconcile_after`: how long a cluster may go
        unheard of before the tick asks CloudFormation and EMR about it."""
        super().__init__(env)
        self.provisioner = provisioner
        self.inspector = inspector
        self.template = template
        self.thresholds = thresholds
        self.new_id = new_id
        self.reconcile_after = reconcile_after
        self.delete_orphans = delete_orphans
        self._lock = threading.RLock()

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Only the settings given (never os.environ): bootstrap reads the environment.
        Snapshots are on (the library's own construct_env turns them on for the intervals)."""
        return Environment(name, {**type(self).env, "IS_SNAPSHOTTING_ENABLED": "y", **(env or {})})

    # Reading.

    def _get(self, aggregate_id: UUID, kind: type[A]) -> A | None:
        try:
            found: object = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, kind) else None

    def _cluster(self, cluster_id: str | UUID) -> Cluster | None:
        try:
            key = cluster_id if isinstance(cluster_id, UUID) else UUID(cluster_id)
        except ValueError:
            return None
        return self._get(key, Cluster)

    def _profile_names(self) -> list[str]:
        catalog = self._get(ProfileCatalog.ID, ProfileCatalog)
        return [] if catalog is None else list(catalog.names)

    def _open(self, name: str) -> PoolWork:
        demand = self._get(Demand.id_for(name), Demand)
        record = self._get(ProfileRecord.id_for(name), ProfileRecord)
        pool = self._get(Pool.id_for(name), Pool)
        roster = self._get(PoolRoster.id_for(name), PoolRoster)
        if record is None or pool is None or roster is None:
            return PoolWork(name, demand)
        loaded = (self._get(UUID(cid), Cluster) for cid in roster.clusters)
        clusters = {c.id: c for c in loaded if c is not None}
        return PoolWork(name, demand, record.profile, pool, roster, clusters)

    # Working on a pool.

    @contextmanager
    def _working_on(
        self, name: str, at: datetime, consumed: Sequence[str] = ()
    ) -> Iterator[PoolWork]:
        """Load the pool, let the caller change it, then decide, save once and call AWS."""
        with self._lock:
            work = self._open(name)
            yield work
            self._plan(work, at)
            self._settle(work, at)
            self._commit(work.aggregates(), consumed)
            self._carry_out(work)

    def _plan(self, work: PoolWork, at: datetime) -> None:
        if not work.registered:
            return
        assert work.pool is not None and work.profile is not None
        slots = work.profile.slots
        starts = 0
        for decision in decide(
            work.pool, work.views(), work.queued_jobs, at, slots_per_cluster=slots
        ):
            if isinstance(decision, StartCluster):
                if starts == STARTS_PER_PASS:
                    continue
                starts += 1
                cluster = Cluster.request(self.new_id(), work.name, slots, decision.reason, at)
                work.add(cluster, at)
            else:
                work.clusters[decision.cluster_id].decommission(decision.reason, at)
            work.decisions.append(decision)

    def _settle(self, work: PoolWork, at: datetime) -> None:
        """Retire clusters that are over with their stack gone; link newly known EMR ids."""
        for cluster in work.clusters.values():
            if work.roster is not None and cluster.state in TERMINAL and cluster.stack_deleted:
                work.roster.retire(cluster.id, at)
        for cluster in work.identified():
            assert cluster.emr_cluster_id is not None
            if self._get(EmrLink.id_for(cluster.emr_cluster_id), EmrLink) is None:
                work.others.append(EmrLink.link(cluster.emr_cluster_id, cluster.id, at))

    def _commit(self, aggregates: Sequence[Any], consumed: Sequence[str] = ()) -> None:
        """Save once with the consumed markers; a change too big for one transaction is split,
        markers in the last part, after a check that they are new (a duplicate writes nothing).
        AlreadyConsumed passes through; any other IntegrityError is a Conflict: retry. If a
        later part fails, the earlier ones stand: domain changes are idempotent when the event
        comes again, new clusters of a lost part were never listed and have no stack yet, and
        the roster (saved last) is what lists them."""
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

    # Calling CloudFormation.

    def _carry_out(self, work: PoolWork) -> None:
        for cluster in [*work.started(), *work.retry_creates]:
            assert work.profile is not None
            self._attempt(
                f"CreateStack {cluster.stack_name}", self._create_stack, cluster, work.profile
            )
        deletes = [(c.stack_name, c.delete_request_token) for c in work.to_delete()]
        for stack_name, token in [*deletes, *work.orphan_deletes]:
            self._attempt(
                f"DeleteStack {stack_name}", self.provisioner.delete_stack, stack_name, token
            )

    def _create_stack(self, cluster: Cluster, profile: ClusterProfile) -> None:
        self.provisioner.create_stack(
            cluster.stack_name,
            self.template,
            profile.stack_parameters(cluster.id),
            cluster.client_request_token,
            {POOL_TAG: profile.name, CLUSTER_ID_TAG: str(cluster.id)},
        )

    def _attempt(self, what: str, call: Callable[..., None], *args: Any) -> None:
        """Call AWS after the save; a failure is logged and left to the tick's repair (raising
        would not help: the event's marker is saved, so a redelivery changes nothing)."""
        try:
            call(*args)
        except Exception:
            logger.warning("%s failed; the tick will repair it", what, exc_info=True)
