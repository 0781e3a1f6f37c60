"""MonitorApplication: every use case of the monitor service, on one eventsourcing Application."""

from __future__ import annotations

from monitor_service.application.queries import QueryUseCases
from monitor_service.application.recording import RecordingUseCases
from monitor_service.application.ticking import TickUseCases


class MonitorApplication(TickUseCases, RecordingUseCases, QueryUseCases):
    """Holds AuditEntry, ServiceHealth, ClusterAlarm, SlaBreach and Beacon aggregates.

    For consumed events: record. For the schedule: tick (check, SLA deadlines, heartbeat).
    Queries: audit_events, job_timeline, metrics, prometheus, health; replay(as_of) rebuilds
    every read model from the log. Every use case takes the time as `at`."""
