"""MonitorApplication: the monitor's store with its use cases, as callers see it.

The use cases are plain objects, one per subject, each given what it uses:

- `recording` (AuditRecording): every consumed event becomes an audit entry, saved with what it
  settles at once (an SLA breach, a cluster alarm, a recovery);
- `queries` (MonitorQueries): the audit log, a job's timeline, metrics, Prometheus text, health;
- `ticks` (MonitorTick): the health check, SLA deadlines and the monitor's own heartbeat.

Each saves through `MonitorStore.commit`, which also moves the live board forward. The methods
below are the use cases' own, bound here so that routes, handlers and the local runtime call
`app.<use case>`; `current_board`, `replay`, `board_at` and `board_as_of` are the store's.
"""

from __future__ import annotations

from eventsourcing.utils import EnvType

from backbone.heartbeat import Heartbeats
from monitor_service.application.queries import MonitorQueries
from monitor_service.application.recording import AuditRecording
from monitor_service.application.store import MonitorStore
from monitor_service.application.ticking import MONITOR_SERVICE, MonitorTick
from monitor_service.domain import MonitorPolicy


class MonitorApplication(MonitorStore):
    """Holds AuditEntry, ServiceHealth, ClusterAlarm, SlaBreach and Beacon aggregates, and the
    use cases built on them; see the module docstring. Every use case takes the time as `at`."""

    def __init__(
        self,
        env: EnvType | None = None,
        *,
        policy: MonitorPolicy | None = None,
        instance_id: str = "local",
    ) -> None:
        """`policy`: health timeouts, SLA targets and prices; `instance_id` names this process
        in the monitor's own heartbeats."""
        super().__init__(env, policy=policy)
        self.instance_id = instance_id
        self.recording = AuditRecording(self)
        self.queries = MonitorQueries(self)
        self.ticks = MonitorTick(self, Heartbeats(MONITOR_SERVICE, instance_id))
        # For consumed events.
        self.record = self.recording.record
        # For the REST API (and the metrics published on every tick).
        self.audit_events = self.queries.audit_events
        self.job_timeline = self.queries.job_timeline
        self.metrics = self.queries.metrics
        self.prometheus = self.queries.prometheus
        self.health = self.queries.health
        # For the schedule.
        self.check = self.ticks.check
        self.tick = self.ticks.tick
