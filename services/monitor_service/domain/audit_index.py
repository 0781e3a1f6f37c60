"""Queries over the audit log: by time range, detail-type, job and tenant, paginated; timelines.

Every list is kept sorted by `AuditRecord.order_key` (occurred time, an EMR state's place in
its sequence, then event id), so the answers depend only on which events were recorded, never on
the order they arrived in. A page ends with a cursor (the key of its last record); the next page
starts after it.

A job's timeline is every record that names the job: its own events (job id field),
AllocationRejected and SlaBreached (job id field), ClusterFailed listing it among `lost_job_ids`,
and the "EMR Step Status Change" events of every step a JobStarted gave it (joined at query
time, so a step event that arrived before its JobStarted still appears).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Final

from monitor_service.domain.errors import InvalidQuery
from monitor_service.domain.records import AuditRecord, to_ms

MAX_PAGE: Final = 1000
STEP_CHANGE: Final = "EMR Step Status Change"
_KEY = attrgetter("order_key")


@dataclass(frozen=True)
class AuditQuery:
    """Records with start <= occurred_at < end matching every filter given; `after` a cursor."""

    start: datetime | None = None
    end: datetime | None = None
    detail_type: str | None = None
    job_id: str | None = None
    tenant_id: str | None = None
    limit: int = 100
    after: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE:
            raise InvalidQuery("limit", f"between 1 and {MAX_PAGE}")
        if self.start and self.end and self.end < self.start:
            raise InvalidQuery("end", "not before start")


@dataclass(frozen=True)
class AuditPage:
    records: tuple[AuditRecord, ...]
    next_cursor: str | None
    """None on the last page."""


def cursor_of(record: AuditRecord) -> str:
    """The record's order key as text: `ms:rank:event_id`."""
    ms, rank, event_id = record.order_key
    return f"{ms}:{rank}:{event_id}"


def _parse_cursor(cursor: str) -> tuple[int, int, str]:
    """A cursor of `cursor_of`; `ms:event_id` (before the state rank) reads as rank 0."""
    ms, _, rest = cursor.partition(":")
    rank, _, event_id = rest.partition(":")
    if not rank.isdigit() or not event_id:
        rank, event_id = "0", rest
    if not ms.lstrip("-").isdigit() or not event_id:
        raise InvalidQuery("after", "a cursor from a previous page")
    return (int(ms), int(rank), event_id)


class AuditIndex:
    """Every recorded event, indexed; adding a known event id again changes nothing."""

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self._all: list[AuditRecord] = []
        self._by_type: dict[str, list[AuditRecord]] = {}
        self._by_tenant: dict[str, list[AuditRecord]] = {}
        self._by_job: dict[str, list[AuditRecord]] = {}
        self._by_step: dict[str, list[AuditRecord]] = {}
        self._steps_of_job: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._all)

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._ids

    def add(self, record: AuditRecord) -> None:
        if record.event_id in self._ids:
            return
        self._ids.add(record.event_id)
        _insert(self._all, record)
        _insert(self._by_type.setdefault(record.detail_type, []), record)
        if record.tenant_id:
            _insert(self._by_tenant.setdefault(record.tenant_id, []), record)
        for job_id in _jobs_named(record):
            _insert(self._by_job.setdefault(job_id, []), record)
        self._index_step(record)

    def _index_step(self, record: AuditRecord) -> None:
        step_id = record.text("step_id") or record.text("stepId")
        if step_id is None:
            return
        if record.detail_type == "JobStarted" and record.job_id:
            self._steps_of_job.setdefault(record.job_id, set()).add(step_id)
        elif record.detail_type == STEP_CHANGE:
            _insert(self._by_step.setdefault(step_id, []), record)

    def timeline(self, job_id: str) -> list[AuditRecord]:
        """Everything recorded about one job, across services, in audit order."""
        found = list(self._by_job.get(job_id, ()))
        for step_id in sorted(self._steps_of_job.get(job_id, ())):
            found.extend(self._by_step.get(step_id, ()))
        return sorted(found, key=_KEY)

    def page(self, query: AuditQuery) -> AuditPage:
        candidates = self._candidates(query)
        begin = self._begin(candidates, query)
        end_ms = None if query.end is None else to_ms(query.end)
        chosen: list[AuditRecord] = []
        for record in _from(candidates, begin):
            if end_ms is not None and record.occurred_ms >= end_ms:
                return AuditPage(tuple(chosen), None)
            if not _matches(record, query):
                continue
            if len(chosen) == query.limit:
                return AuditPage(tuple(chosen), cursor_of(chosen[-1]))
            chosen.append(record)
        return AuditPage(tuple(chosen), None)

    def _candidates(self, query: AuditQuery) -> list[AuditRecord]:
        """The narrowest sorted list that holds every answer."""
        if query.job_id is not None:
            return self.timeline(query.job_id)
        if query.tenant_id is not None:
            return self._by_tenant.get(query.tenant_id, [])
        if query.detail_type is not None:
            return self._by_type.get(query.detail_type, [])
        return self._all

    @staticmethod
    def _begin(candidates: list[AuditRecord], query: AuditQuery) -> int:
        begin = 0
        if query.start is not None:
            begin = bisect_left(candidates, (to_ms(query.start), 0, ""), key=_KEY)
        if query.after is not None:
            after = _parse_cursor(query.after)
            begin = max(begin, bisect_left(candidates, after, key=_KEY))
            if begin < len(candidates) and candidates[begin].order_key == after:
                begin += 1
        return begin


def _insert(records: list[AuditRecord], record: AuditRecord) -> None:
    """Keep `records` sorted; most records come in order, and are appended."""
    if not records or records[-1].order_key <= record.order_key:
        records.append(record)
    else:
        insort(records, record, key=_KEY)


def _from(records: list[AuditRecord], begin: int) -> Iterator[AuditRecord]:
    return (records[index] for index in range(begin, len(records)))


def _matches(record: AuditRecord, query: AuditQuery) -> bool:
    return (
        (query.detail_type is None or record.detail_type == query.detail_type)
        and (query.tenant_id is None or record.tenant_id == query.tenant_id)
        and (query.job_id is None or record.job_id in (None, query.job_id))
    )


def _jobs_named(record: AuditRecord) -> Iterable[str]:
    if record.detail_type != "ClusterFailed":
        return (record.job_id,) if record.job_id else ()
    lost = record.detail.get("lost_job_ids")
    return sorted({job_id for job_id in lost or () if isinstance(job_id, str)})
