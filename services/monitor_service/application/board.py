"""The monitor board: every read model, as a projection of the monitor's own notification log.

The log holds the AuditEntry of every consumed event and the monitor's decisions (ServiceHealth,
ClusterAlarm, SlaBreach, and its beats: backbone.heartbeat's Beacon), in notification-id order.
The board applies them in that order: audit records go to the audit index and to every read
model, decisions to the models they settle. The live board and a board replayed from the log are
built by this same `apply`, so they are equal; `as_of` cuts the log at a recorded time (see
store.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from backbone.heartbeat import Beacon
from monitor_service.domain import (
    AuditEntry,
    AuditIndex,
    AuditRecord,
    ClusterAlarm,
    ClusterMetrics,
    ClusterWatch,
    JobMetrics,
    MonitorPolicy,
    PoolLimits,
    ServiceHealth,
    ServiceHealthBoard,
    SlaBreach,
    SlaWatch,
    metrics_report,
    to_ms,
)


class MonitorBoard:
    """Every read model of the monitor, at notification `position` of its log."""

    def __init__(self, policy: MonitorPolicy) -> None:
        self.policy = policy
        self.position = 0
        self.recorded_until_ms: int | None = None
        """The latest time anything applied was recorded (stored) at."""
        self.audit = AuditIndex()
        self.jobs = JobMetrics()
        self.clusters = ClusterMetrics()
        self.pools = PoolLimits()
        self.sla = SlaWatch(policy.sla)
        self.services = ServiceHealthBoard(policy.heartbeats)
        self.cluster_watch = ClusterWatch()

    def apply(self, event: Any, notification_id: int) -> None:
        """Apply one stored event (once: an id at or below `position` is skipped)."""
        if notification_id <= self.position:
            return
        recorded_ms = to_ms(event.timestamp)
        self.services.observe(recorded_ms)
        if self.recorded_until_ms is None or recorded_ms > self.recorded_until_ms:
            self.recorded_until_ms = recorded_ms
        applier = _APPLIERS.get(type(event))
        if applier is not None:
            applier(self, event)
        self.position = notification_id

    def add_record(self, record: AuditRecord) -> None:
        if record.event_id in self.audit:
            return
        self.audit.add(record)
        self.jobs.apply(record)
        self.clusters.apply(record)
        self.pools.apply(record)
        self.sla.apply(record)
        self.cluster_watch.apply(record)
        if record.detail_type == "Heartbeat":
            self.services.beat(record)

    def metrics(self, at: datetime) -> dict[str, Any]:
        return metrics_report(
            self.jobs,
            self.clusters,
            self.pools,
            self.sla,
            self.services,
            self.policy.prices,
            to_ms(at),
        )

    def health(self, at: datetime) -> dict[str, Any]:
        return {
            "services": self.services.view(to_ms(at)),
            "clusters": self.cluster_watch.view(),
        }


def _recorded(board: MonitorBoard, event: AuditEntry.Recorded) -> None:
    board.add_record(event.record())


def _unhealthy(board: MonitorBoard, event: ServiceHealth.WentUnhealthy) -> None:
    last = event.last_heartbeat_at
    board.services.marked_unhealthy(event.service, None if last is None else to_ms(last))


def _recovered(board: MonitorBoard, event: ServiceHealth.Recovered) -> None:
    board.services.marked_recovered(event.service)


def _alarmed(board: MonitorBoard, event: ClusterAlarm.Raised) -> None:
    board.cluster_watch.alarmed(event.cluster_id)


def _breached(board: MonitorBoard, event: SlaBreach.Breached) -> None:
    board.sla.breached(event.breach())


def _nothing(board: MonitorBoard, event: Any) -> None:
    """The monitor's own beats count when they come back over the bus, like anyone's."""


_APPLIERS: dict[type, Callable[[MonitorBoard, Any], None]] = {
    AuditEntry.Recorded: _recorded,
    ServiceHealth.WentUnhealthy: _unhealthy,
    ServiceHealth.Recovered: _recovered,
    ClusterAlarm.Raised: _alarmed,
    SlaBreach.Breached: _breached,
    Beacon.Beat: _nothing,
}
