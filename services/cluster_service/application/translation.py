"""The relay's `translate` for the cluster service: stored domain events → integration events.

Published:
  Cluster.Requested → ClusterRequested;  Cluster.Advanced to READY → ClusterReady;
  Cluster.SlotReleased → ClusterIdle;  Cluster.DecommissionRequested → ClusterDecommissioning;
  Cluster.Terminated, Cluster.StackDeleted (a failed cluster's stack gone) → ClusterTerminated;
  Cluster.Failed → ClusterFailed;  Demand.Rejected → AllocationRejected;
  Pool.Created, Pool.ThresholdsChanged, Pool.ScheduleSet, Pool.ScheduleCleared,
  Pool.ScheduledMinimumChanged → PoolThresholdsChanged (with the effective MINIMUM);
  PoolRoster.OrphanFound → OrphanStackFound;  Beacon.Beat (backbone.heartbeat) → Heartbeat.
Everything else is internal (None). A cluster's events lack its profile, EMR id, slots or free
slots, so they are translated with the aggregate as it was right after the event
(`backbone.messaging.translating.AtVersion`). AllocationRejected comes from a stored event that
carries all it needs, so it is never published beside a save (no dual writes).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from eventsourcing.application import Repository
from eventsourcing.persistence import Mapper, Notification

from backbone.heartbeat import Beacon, heartbeat_of
from backbone.messaging.translating import Announced, AtVersion
from cluster_service.domain.cluster import Cluster
from cluster_service.domain.demand import Demand
from cluster_service.domain.lifecycle import ClusterState
from cluster_service.domain.pool import Pool
from cluster_service.domain.records import PoolRoster
from events.schemas import (
    AllocationRejected,
    ClusterDecommissioning,
    ClusterFailed,
    ClusterIdle,
    ClusterReady,
    ClusterRequested,
    ClusterTerminated,
    IntegrationEvent,
    OrphanStackFound,
    PoolThresholdsChanged,
)
from events.schemas.aws import StackStatus

logger = logging.getLogger(__name__)

REASON_LENGTH: Final = 2048
STACK_STATUSES: Final = frozenset(StackStatus.__args__)  # type: ignore[attr-defined]


Built = tuple[type[IntegrationEvent], dict[str, Any]] | None
"""The model and the fields particular to it, or None when the event is not announced."""
Fields = Callable[[Any, Cluster], Built]


def _ready(e: Cluster.Advanced, c: Cluster) -> Built:
    if e.state != ClusterState.READY.value:
        return None
    if c.emr_cluster_id is None:  # the domain identifies the EMR cluster before READY
        logger.error("cluster %s READY without an EMR cluster id: not announced", c.id)
        return None
    return ClusterReady, {"emr_cluster_id": c.emr_cluster_id, "slots": c.slots}


def _idle(e: Cluster.SlotReleased, c: Cluster) -> Built:
    return (ClusterIdle, {"free_slots": c.free_slots}) if c.free_slots > 0 else None


_CLUSTER: Final[dict[type, Fields]] = {
    Cluster.Requested: lambda e, c: (
        ClusterRequested,
        {"stack_name": c.stack_name, "reason": e.reason},
    ),
    Cluster.Advanced: _ready,
    Cluster.SlotReleased: _idle,
    Cluster.DecommissionRequested: lambda e, c: (ClusterDecommissioning, {"reason": e.reason}),
    Cluster.Terminated: lambda e, c: (ClusterTerminated, {"emr_cluster_id": c.emr_cluster_id}),
    Cluster.StackDeleted: lambda e, c: (ClusterTerminated, {"emr_cluster_id": c.emr_cluster_id}),
    Cluster.Failed: lambda e, c: (
        ClusterFailed,
        {"reason": e.reason[:REASON_LENGTH], "lost_job_ids": tuple(e.lost_job_ids)},
    ),
}


class ClusterEventTranslator:
    """`translate(notification, event_id)`, as backbone.messaging.relay.Translate says."""

    def __init__(self, mapper: Mapper[UUID], repository: Repository[UUID]) -> None:
        self._events = Announced(mapper, _announced)
        self._at = AtVersion(repository)

    def __call__(self, notification: Notification, event_id: str) -> IntegrationEvent | None:
        event: Any = self._events.event(notification)
        if event is None:
            return None
        common = {"event_id": event_id, "occurred_at": event.timestamp}
        kind = type(event)
        if kind in _CLUSTER:
            cluster = self._at.after(event)
            found = _CLUSTER[kind](event, cluster)
            if found is None:
                return None
            model, fields = found
            ids = {"cluster_id": str(cluster.id), "cluster_profile": cluster.profile}
            return model.model_validate(common | ids | fields)
        if kind in _POOL:
            return _thresholds(self._at.after(event), event.timestamp, common)
        if kind is Demand.Rejected:
            return _rejected(event, common)
        if kind is PoolRoster.OrphanFound:
            return _orphan(event, self._at.after(event).profile, common)
        if kind is Beacon.Beat:
            return heartbeat_of(event, event_id)
        return None


_POOL: Final = frozenset(
    {
        Pool.Created,
        Pool.ThresholdsChanged,
        Pool.ScheduleSet,
        Pool.ScheduleCleared,
        Pool.ScheduledMinimumChanged,
    }
)


def _thresholds(pool: Pool, at: datetime, common: dict[str, Any]) -> PoolThresholdsChanged:
    """The effective MINIMUM as of the event's time, from the schedule itself: a threshold
    change and the schedule's follow-up in the same save then announce the same value."""
    return PoolThresholdsChanged(
        **common,
        cluster_profile=pool.profile,
        minimum=pool.minimum,
        maximum=pool.maximum,
        idle_ttl_seconds=pool.idle_ttl_seconds,
        effective_minimum=pool.effective_minimum_at(at),
        schedule_time_zone=None if pool.schedule is None else pool.schedule.time_zone,
    )


def _rejected(e: Demand.Rejected, common: dict[str, Any]) -> AllocationRejected:
    return AllocationRejected.model_validate(
        common
        | {
            "job_id": e.job_id,
            "tenant_id": e.tenant_id,
            "cluster_id": e.cluster_id,
            "attempt": e.attempt,
            "reason": e.reason,
        }
    )


def _orphan(e: PoolRoster.OrphanFound, profile: str, common: dict[str, Any]) -> OrphanStackFound:
    status = e.stack_status if e.stack_status in STACK_STATUSES else None
    return OrphanStackFound.model_validate(
        common
        | {
            "stack_name": e.stack_name,
            "stack_id": e.stack_id or None,
            "stack_status": status,
            "emr_cluster_id": e.emr_cluster_id,
            "cluster_profile": profile,
        }
    )


def translator_for(app: Any) -> ClusterEventTranslator:
    """The translate function of a ClustersApplication (its mapper and repository)."""
    return ClusterEventTranslator(app.mapper, app.repository)


def _announced(kind: type) -> bool:
    return (
        kind in _CLUSTER
        or kind in _POOL
        or kind in (Demand.Rejected, PoolRoster.OrphanFound, Beacon.Beat)
    )
