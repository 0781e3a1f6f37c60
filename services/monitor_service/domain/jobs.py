"""Job metrics per (cluster profile, priority, tenant): queue depth, waits, cycle times, throughput.

Fed AuditRecords of job events. Each job keeps what it knows (acceptance, first start, first
terminal event, latest status) and what it contributed to the totals; every event takes the
job's contribution back and adds the new one. So a late or reordered event corrects the totals,
and the totals never depend on arrival order:

- status is the latest event's by (occurred time, lifecycle rank, event id); a terminal event
  (JobSucceeded, JobFailed final, JobCancelled) is final whenever it arrives;
- queue depth counts jobs whose status is queued (JobSubmitted, JobRequeued, a non-final
  JobFailed) and that are not terminal;
- wait is acceptance (JobSubmitted.submitted_at) to the first JobStarted, kept per key and per
  priority class alone; cycle time acceptance to the first terminal event; throughput counts
  terminal events in the hour before `at`.

A job's key comes from its JobSubmitted: until that arrives the job counts nowhere.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections import Counter
from dataclasses import dataclass
from typing import Any, Final

from monitor_service.domain.records import HOUR_MS, AuditRecord, to_ms
from monitor_service.domain.stats import Samples

JobKey = tuple[str, str, str]
"""(cluster profile, priority, tenant)."""
KEY_LABELS: Final = ("profile", "priority", "tenant")

_RANKS: Final = {
    "JobSubmitted": 0,
    "JobAllocated": 1,
    "JobStarted": 2,
    "JobRequeued": 3,
    "JobFailed": 4,
    "JobSucceeded": 4,
    "JobCancelled": 4,
}
_STATUS: Final = {
    "JobSubmitted": "queued",
    "JobAllocated": "allocated",
    "JobStarted": "running",
    "JobRequeued": "queued",
    "JobSucceeded": "succeeded",
    "JobCancelled": "cancelled",
}
_OUTCOMES: Final = {"JobSucceeded": "succeeded", "JobCancelled": "cancelled", "JobFailed": "failed"}


@dataclass(frozen=True)
class Contribution:
    key: JobKey
    queued: bool
    wait_ms: int | None
    cycle_ms: int | None
    ended_ms: int | None
    outcome: str | None


@dataclass
class JobTrack:
    key: JobKey | None = None
    submitted_ms: int | None = None
    started_ms: int | None = None
    ended: tuple[int, str] | None = None
    """(time, outcome) of the earliest terminal event."""
    latest: tuple[int, int, str] | None = None
    status: str = "queued"
    contribution: Contribution | None = None

    def update(self, record: AuditRecord) -> None:
        kind, ms = record.detail_type, record.occurred_ms
        if kind == "JobSubmitted":
            submitted = record.moment("submitted_at")
            self.submitted_ms = ms if submitted is None else to_ms(submitted)
            profile, priority = record.text("cluster_profile"), record.text("priority")
            self.key = (profile or "", priority or "", record.tenant_id or "")
        elif kind == "JobStarted":
            self.started_ms = ms if self.started_ms is None else min(self.started_ms, ms)
        outcome = _outcome(record)
        if outcome is not None and (self.ended is None or (ms, outcome) < self.ended):
            self.ended = (ms, outcome)
        rank = _RANKS[kind] - (kind == "JobFailed" and outcome is None)
        position = (ms, rank, record.event_id)
        if self.latest is None or position > self.latest:
            self.latest = position
            self.status = _STATUS.get(kind) or ("failed" if outcome else "queued")

    def contributes(self) -> Contribution | None:
        if self.key is None or self.submitted_ms is None:
            return None
        start = self.submitted_ms
        ended_ms, outcome = self.ended if self.ended else (None, None)
        return Contribution(
            key=self.key,
            queued=ended_ms is None and self.status == "queued",
            wait_ms=None if self.started_ms is None else max(0, self.started_ms - start),
            cycle_ms=None if ended_ms is None else max(0, ended_ms - start),
            ended_ms=ended_ms,
            outcome=outcome,
        )


def _outcome(record: AuditRecord) -> str | None:
    if record.detail_type == "JobFailed" and record.detail.get("final") is not True:
        return None
    return _OUTCOMES.get(record.detail_type)


class JobMetrics:
    """See the module docstring; `apply` is O(log n), `report` O(keys · log n)."""

    def __init__(self) -> None:
        self.jobs: dict[str, JobTrack] = {}
        self.queued: Counter[JobKey] = Counter()
        self.waits: dict[JobKey, Samples] = {}
        self.priority_waits: dict[str, Samples] = {}
        """The same waits per priority class alone (percentiles do not add up across keys)."""
        self.cycles: dict[JobKey, Samples] = {}
        self.finished: dict[JobKey, list[int]] = {}
        self.outcomes: Counter[tuple[JobKey, str]] = Counter()

    def apply(self, record: AuditRecord) -> None:
        if record.detail_type not in _RANKS or not record.job_id:
            return
        job = self.jobs.setdefault(record.job_id, JobTrack())
        if job.contribution is not None:
            self._count(job.contribution, -1)
        job.update(record)
        job.contribution = job.contributes()
        if job.contribution is not None:
            self._count(job.contribution, +1)

    def _count(self, part: Contribution, sign: int) -> None:
        key = part.key
        self.queued[key] += sign * part.queued
        _adjust(self.waits.setdefault(key, Samples()), part.wait_ms, sign)
        _adjust(self.priority_waits.setdefault(key[1], Samples()), part.wait_ms, sign)
        _adjust(self.cycles.setdefault(key, Samples()), part.cycle_ms, sign)
        if part.ended_ms is not None and part.outcome is not None:
            self.outcomes[(key, part.outcome)] += sign
            finished = self.finished.setdefault(key, [])
            if sign > 0:
                insort(finished, part.ended_ms)
            else:
                finished.remove(part.ended_ms)

    def report(self, at_ms: int) -> dict[str, list[dict[str, Any]]]:
        keys = sorted(self.waits)
        hour_ago = at_ms - HOUR_MS
        return {
            "queue_depth": [_row(k, value=self.queued[k]) for k in keys],
            "wait_seconds": [_row(k, **self.waits[k].summary()) for k in keys],
            "priority_wait_seconds": [
                {"priority": p, **samples.summary()}
                for p, samples in sorted(self.priority_waits.items())
            ],
            "cycle_seconds": [_row(k, **self.cycles[k].summary()) for k in keys],
            "jobs_finished_last_hour": [
                _row(k, value=_count_between(self.finished.get(k, []), hour_ago, at_ms))
                for k in keys
            ],
            "jobs_finished": [
                _row(k, outcome=outcome, value=n)
                for (k, outcome), n in sorted(self.outcomes.items())
                if n
            ],
        }


def _adjust(samples: Samples, value: int | None, sign: int) -> None:
    if value is None:
        return
    if sign > 0:
        samples.add(value)
    else:
        samples.remove(value)


def _count_between(sorted_ms: list[int], after: int, upto: int) -> int:
    return bisect_right(sorted_ms, upto) - bisect_right(sorted_ms, after)


def _row(key: JobKey, **values: Any) -> dict[str, Any]:
    return dict(zip(KEY_LABELS, key, strict=True)) | values
