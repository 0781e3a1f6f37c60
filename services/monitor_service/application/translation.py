"""The relay's `translate` for the monitor: stored decisions → integration events.

Published: ServiceHealth.WentUnhealthy → ServiceUnhealthy, ClusterAlarm.Raised →
ClusterUnhealthy, SlaBreach.Breached → SlaBreached, Beacon.Beat (backbone.heartbeat) →
Heartbeat (of the monitor, under its own source). Internal (None): AuditEntry (the audit log is
not republished), ServiceHealth.Watched and Recovered (no integration event announces a recovery
yet), Beacon.Lit. Each stored event carries every field it needs, so nothing is read from the
store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final
from uuid import UUID

from eventsourcing.persistence import Mapper, Notification

from backbone.heartbeat import Beacon, heartbeat_of
from events.schemas import (
    ClusterUnhealthy,
    IntegrationEvent,
    ServiceUnhealthy,
    SlaBreached,
)
from monitor_service.domain import ClusterAlarm, ServiceHealth, SlaBreach


class MonitorEventTranslator:
    """`translate(notification, event_id)`, as backbone.messaging.relay.Translate says."""

    def __init__(self, mapper: Mapper[UUID]) -> None:
        self._mapper = mapper

    def __call__(self, notification: Notification, event_id: str) -> IntegrationEvent | None:
        event: Any = self._mapper.to_domain_event(notification)
        build = _BUILDERS.get(type(event))
        if build is None:
            return None
        return build(event, {"event_id": event_id, "occurred_at": event.timestamp})


Build = Callable[[Any, dict[str, Any]], IntegrationEvent]


def _unhealthy(e: ServiceHealth.WentUnhealthy, common: dict[str, Any]) -> IntegrationEvent:
    return ServiceUnhealthy.model_validate(
        common
        | {
            "service": e.service,
            "instance_id": e.instance_id,
            "last_heartbeat_at": e.last_heartbeat_at,
        }
    )


def _alarm(e: ClusterAlarm.Raised, common: dict[str, Any]) -> IntegrationEvent:
    return ClusterUnhealthy.model_validate(
        common
        | {
            "cluster_id": e.cluster_id,
            "cluster_profile": e.cluster_profile or None,
            "last_seen": e.last_seen,
            "reason": e.reason,
        }
    )


def _breach(e: SlaBreach.Breached, common: dict[str, Any]) -> IntegrationEvent:
    return SlaBreached.model_validate(
        common
        | {
            "job_id": e.job_id,
            "tenant_id": e.tenant_id,
            "cluster_profile": e.cluster_profile or None,
            "priority": e.priority,
            "waited_seconds": e.waited_seconds,
            "target_seconds": e.target_seconds,
        }
    )


def _beat(e: Beacon.Beat, common: dict[str, Any]) -> IntegrationEvent:
    return heartbeat_of(e, common["event_id"])


_BUILDERS: Final[dict[type, Build]] = {
    ServiceHealth.WentUnhealthy: _unhealthy,
    ClusterAlarm.Raised: _alarm,
    SlaBreach.Breached: _breach,
    Beacon.Beat: _beat,
}


def translator_for(app: Any) -> MonitorEventTranslator:
    """The translate function of a MonitorApplication (its mapper)."""
    return MonitorEventTranslator(app.mapper)
