"""Queries: the audit log, a job's timeline, metrics (JSON and Prometheus), health.

Times in the past are answered from the log as it stood then (`board_at`): the live board when
nothing was recorded after `at`, else a board replayed up to `at`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from monitor_service.application.base import MonitorCore, serialized
from monitor_service.application.exposition import to_prometheus
from monitor_service.domain import AuditPage, AuditQuery, AuditRecord


class QueryUseCases(MonitorCore):
    @serialized
    def audit_events(self, query: AuditQuery) -> AuditPage:
        """Recorded events by time range, detail-type, job or tenant, a page at a time."""
        return self.current_board().audit.page(query)

    @serialized
    def job_timeline(self, job_id: str) -> list[AuditRecord]:
        """Everything recorded about one job, across services (empty for an unknown job)."""
        return self.current_board().audit.timeline(job_id)

    @serialized
    def metrics(self, at: datetime) -> dict[str, Any]:
        """Every metric as it stood at `at`, JSON-able."""
        return self.board_at(at).metrics(at)

    def prometheus(self, at: datetime) -> str:
        """The same metrics in the Prometheus text format."""
        return to_prometheus(self.metrics(at))

    @serialized
    def health(self, at: datetime) -> dict[str, Any]:
        """Every service (state, last heartbeat, instances) and every cluster known."""
        return self.board_at(at).health(at)
