"""Queries: the audit log, the job history, a job's timeline, metrics (JSON, Prometheus), health.

Metrics and health at a time `at` are answered from the log as it stood then (`board_at`): the
live board when nothing was recorded more than CLOCK_SKEW after `at`, else a board replayed up
to `at`. With `exact=True` (an explicit `as_of` from a client) and for the audit queries given
`as_of`, only what was recorded by that time counts (`board_as_of`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from monitor_service.application.board import MonitorBoard
from monitor_service.application.exposition import to_prometheus
from monitor_service.application.store import MonitorStore
from monitor_service.domain import AuditPage, AuditQuery, AuditRecord, JobHistoryPage, job_history


class MonitorQueries:
    """What the REST API and the metrics publisher read; nothing here saves."""

    def __init__(self, store: MonitorStore) -> None:
        self.store = store

    def audit_events(self, query: AuditQuery, as_of: datetime | None = None) -> AuditPage:
        """Recorded events by time range, detail-type, job or tenant, a page at a time."""
        with self.store.lock:
            return self._as_of(as_of).audit.page(query)

    def job_history(self, query: AuditQuery, as_of: datetime | None = None) -> JobHistoryPage:
        """The jobs submitted in the query's time range, one row each, a page at a time (the
        simulator's log of what ran: domain/history.py)."""
        with self.store.lock:
            return job_history(self._as_of(as_of).audit, query)

    def job_timeline(self, job_id: str, as_of: datetime | None = None) -> list[AuditRecord]:
        """Everything recorded about one job, across services (empty for an unknown job)."""
        with self.store.lock:
            return self._as_of(as_of).audit.timeline(job_id)

    def metrics(self, at: datetime, *, exact: bool = False) -> dict[str, Any]:
        """Every metric as it stood at `at`, JSON-able."""
        with self.store.lock:
            return self._at(at, exact).metrics(at)

    def prometheus(self, at: datetime, *, exact: bool = False) -> str:
        """The same metrics in the Prometheus text format."""
        return to_prometheus(self.metrics(at, exact=exact))

    def health(self, at: datetime, *, exact: bool = False) -> dict[str, Any]:
        """Every service (state, last heartbeat, instances) and every cluster known."""
        with self.store.lock:
            return self._at(at, exact).health(at)

    def _as_of(self, as_of: datetime | None) -> MonitorBoard:
        return self.store.current_board() if as_of is None else self.store.board_as_of(as_of)

    def _at(self, at: datetime, exact: bool) -> MonitorBoard:
        return self.store.board_as_of(at) if exact else self.store.board_at(at)
