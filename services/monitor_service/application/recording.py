"""Recording: every consumed event becomes an audit entry, with the decisions it calls for.

One save per event holds its AuditEntry, its consumed marker and whatever the event settles at
once: an SlaBreach when it proves a late start, a ClusterAlarm when EMR reports a cluster we
know TERMINATED_WITH_ERRORS, a ServiceHealth recovery when an unhealthy service beats again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import suppress
from datetime import datetime
from typing import Any

from backbone.eventstore import AlreadyConsumed
from backbone.messaging.consumer import AwsEvent
from events.schemas import IntegrationEvent
from monitor_service.application.board import MonitorBoard
from monitor_service.application.store import MonitorStore
from monitor_service.domain import (
    AlreadyDecided,
    AuditEntry,
    AuditRecord,
    ClusterAlarm,
    SlaBreach,
    to_ms,
)

Consumed = IntegrationEvent | AwsEvent[Any]


def audit_record(event: Consumed, recorded_at: datetime) -> AuditRecord:
    """The record of an integration event, or of an AWS event (keyed on its envelope id)."""
    if isinstance(event, AwsEvent):
        envelope = event.envelope
        return AuditRecord(
            event_id=event.event_id,
            detail_type=envelope.detail_type,
            source=envelope.source,
            occurred_at=envelope.time,
            recorded_at=recorded_at,
            detail_json=_json(envelope.detail),
        )
    detail = event.model_dump(mode="json")
    return AuditRecord(
        event_id=event.event_id,
        detail_type=event.detail_type,
        source=event.bus_source,
        occurred_at=event.occurred_at,
        recorded_at=recorded_at,
        detail_json=_json(detail),
        job_id=_text(detail, "job_id"),
        tenant_id=_text(detail, "tenant_id"),
        cluster_id=_text(detail, "cluster_id"),
    )


def _json(detail: dict[str, Any]) -> str:
    return json.dumps(detail, sort_keys=True, separators=(",", ":"))


def _text(detail: dict[str, Any], name: str) -> str | None:
    value = detail.get(name)
    return value if isinstance(value, str) else None


class AuditRecording:
    """Records every consumed event, with what it settles at once; see the module docstring."""

    def __init__(self, store: MonitorStore) -> None:
        self.store = store

    def record(
        self, event: Consumed, *, at: datetime, consumed: Sequence[str] | None = None
    ) -> AuditRecord:
        """Append the event to the audit log at `at`; AlreadyConsumed if it is there already.
        `consumed` defaults to the event's own id."""
        with self.store.lock:
            record = audit_record(event, at)
            board = self.store.current_board()
            if record.event_id in board.audit:
                raise AlreadyConsumed([record.event_id])
            decisions = self._decisions(board, record, at)
            markers = [record.event_id] if consumed is None else list(consumed)
            self.store.commit(AuditEntry.record(record), *decisions, consumed=markers)
            return record

    def _decisions(self, board: MonitorBoard, record: AuditRecord, at: datetime) -> list[Any]:
        decisions: list[Any] = []
        breach = board.sla.revealed_by(record)
        if breach is not None:
            decisions.append(SlaBreach.decide(breach, at))
        alarm = board.cluster_watch.alarm_for(record)
        if alarm is not None:
            decisions.append(ClusterAlarm.raise_for(alarm, at))
        if board.services.revives(record, to_ms(at)):
            health = self.store.service_health(record.text("service") or "", at)
            with suppress(AlreadyDecided):  # the store says healthy: nothing to decide
                health.recovered(at)
                decisions.append(health)
        return decisions
