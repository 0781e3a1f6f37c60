"""The monitor service's use cases, its handlers, its translation and its exposition."""

from monitor_service.application.app import MonitorApplication
from monitor_service.application.board import MonitorBoard
from monitor_service.application.errors import Conflict
from monitor_service.application.exposition import to_prometheus
from monitor_service.application.handlers import MonitorServiceHandlers
from monitor_service.application.queries import MonitorQueries
from monitor_service.application.recording import AuditRecording, audit_record
from monitor_service.application.store import MonitorStore
from monitor_service.application.ticking import (
    MONITOR_SERVICE,
    HealthCheck,
    MonitorTick,
    TickReport,
)
from monitor_service.application.translation import MonitorEventTranslator, translator_for

__all__ = [
    "MONITOR_SERVICE",
    "AuditRecording",
    "Conflict",
    "HealthCheck",
    "MonitorApplication",
    "MonitorBoard",
    "MonitorEventTranslator",
    "MonitorQueries",
    "MonitorServiceHandlers",
    "MonitorStore",
    "MonitorTick",
    "TickReport",
    "audit_record",
    "to_prometheus",
    "translator_for",
]
