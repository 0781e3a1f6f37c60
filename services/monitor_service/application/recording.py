"""Recording: every consumed event becomes an audit entry, with the decisions it calls for.

One save per event holds its AuditEntry, its consumed marker and whatever the event settles at
once: an SlaBreach when it proves a late start, a ClusterAlarm when EMR reports a cluster we
know TERMINATED_WITH_ERRORS, a ServiceHealth recovery when an unhealthy service beats again.

A batch (`record_batch`, an SQS delivery of up to 10 messages) is saved in as few transactions
as it can: each holds the entries, decisions and markers of consecutive events. An event's
decisions are taken on the live board, which a transaction moves forward only once committed,
so an event that could depend on one already waiting in the transaction starts the next one:
one of the same job (SLA: the start after the submission), of the same service (a heartbeat's
recovery), with the same event id, or any EMR cluster state change (its alarm depends on what
the board knows of every cluster). So a batch decides exactly what the same events recorded
one by one would. A transaction that fails is retried event by event, so a poison message fails
alone and the others commit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
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
from monitor_service.domain.cluster_watch import EMR_CLUSTER_CHANGE

Consumed = IntegrationEvent | AwsEvent[Any]
TRANSACTION_ITEMS = 100
"""DynamoDB's TransactWriteItems limit; a save of n events and m markers writes 2n + m + 1."""


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

    def record_batch(self, events: Sequence[Consumed], *, at: datetime) -> list[Exception | None]:
        """Record a batch in as few saves as it can (see the module docstring); per event, None
        (recorded), AlreadyConsumed (recorded before) or the exception that failed it alone."""
        outcomes: list[Exception | None] = [None] * len(events)
        with self.store.lock:
            pending = _Pending()
            for index, event in enumerate(events):
                try:
                    record = audit_record(event, at)
                    keys = _keys(record)
                    if pending.depends(record, keys):
                        self._save_batch(pending, events, outcomes, at)
                        pending = _Pending()
                    board = self.store.current_board()
                    if record.event_id in board.audit:
                        raise AlreadyConsumed([record.event_id])
                    changes = [AuditEntry.record(record), *self._decisions(board, record, at)]
                except Exception as error:
                    outcomes[index] = error
                    continue
                if not pending.fits(changes):
                    self._save_batch(pending, events, outcomes, at)
                    pending = _Pending()
                pending.add(index, record, keys, changes)
            self._save_batch(pending, events, outcomes, at)
        return outcomes

    def _save_batch(
        self,
        pending: _Pending,
        events: Sequence[Consumed],
        outcomes: list[Exception | None],
        at: datetime,
    ) -> None:
        """One save for what is pending; if it fails, each event again on its own."""
        if not pending.indexes:
            return
        try:
            self.store.commit(*pending.changes, consumed=pending.markers)
        except Exception:
            for index in pending.indexes:  # decided again on the board as it is now
                try:
                    self.record(events[index], at=at)
                except Exception as error:
                    outcomes[index] = error

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


def _keys(record: AuditRecord) -> set[tuple[str, str]]:
    """What the board's decision on `record` reads: its job, its service, its own id."""
    keys = {("event", record.event_id)}
    if record.job_id:
        keys.add(("job", record.job_id))
    if record.detail_type == "Heartbeat":
        keys.add(("service", record.text("service") or ""))
    return keys


@dataclass
class _Pending:
    """The events waiting for one save: their indexes, records' keys, changes and markers."""

    indexes: list[int] = field(default_factory=list)
    keys: set[tuple[str, str]] = field(default_factory=set)
    changes: list[Any] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)
    items: int = 1
    """Items the save writes: the counter, then 2 per event and 1 per marker."""

    def depends(self, record: AuditRecord, keys: set[tuple[str, str]]) -> bool:
        """Whether deciding on `record` needs what is pending on the board first."""
        if not self.indexes:
            return False
        return record.detail_type == EMR_CLUSTER_CHANGE or bool(keys & self.keys)

    def fits(self, changes: Sequence[Any]) -> bool:
        return self.items + _items(changes) <= TRANSACTION_ITEMS

    def add(
        self, index: int, record: AuditRecord, keys: set[tuple[str, str]], changes: list[Any]
    ) -> None:
        self.indexes.append(index)
        self.keys |= keys
        self.changes.extend(changes)
        self.markers.append(record.event_id)
        self.items += _items(changes)


def _items(changes: Sequence[Any]) -> int:
    """Items one event's changes write: 2 per domain event, and its marker."""
    return 2 * sum(len(change.pending_events) for change in changes) + 1
