"""The platform's recorded job history: one row per job submitted in a time range, a page at a
time, for replaying what happened in the capacity simulator (`jobctl export`).

A job's row is read from its timeline (`AuditIndex.timeline`), so it depends only on which events
were recorded, never on their arrival order:

- submitted: JobSubmitted's `submitted_at` (its cluster profile, priority, tenant, job profile);
- started: the first JobStarted (the wait the monitor's metrics count ends there too);
- ended and outcome: the earliest terminal event (JobSucceeded, a final JobFailed, JobCancelled);
- run time: how long the step of the attempt that ended the job ran: from EMR's RUNNING to its
  end, by the "EMR Step Status Change" events of that step when both were recorded (EMR's own
  clock, to the second); otherwise from that attempt's JobStarted to the terminal event (which
  also counts the step's time in PENDING and the event's delivery). None while the job has not
  ended, or when it ended without ever starting (cancelled or failed in its queue).

Pages follow the audit order of the JobSubmitted events (occurred time, then event id), which is
submission order; a page's cursor is its last JobSubmitted's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from monitor_service.domain.audit_index import STEP_CHANGE, AuditIndex, AuditQuery
from monitor_service.domain.records import AuditRecord, iso

SUBMITTED: Final = "JobSubmitted"
STEP_ENDS: Final = frozenset({"COMPLETED", "FAILED", "CANCELLED", "INTERRUPTED"})


@dataclass(frozen=True)
class JobRun:
    """What the platform recorded of one job, as the simulator's log needs it."""

    job_id: str
    tenant_id: str
    job_profile: str
    cluster_profile: str
    priority: str
    submitted_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    outcome: str | None
    """succeeded, failed or cancelled; None while the job has not ended."""
    attempts: int
    """Attempts that got a step (JobStarted events)."""
    run_time_s: float | None
    """See the module docstring."""

    @property
    def wait_s(self) -> float | None:
        """Submission to the first step start, the wait the monitor's metrics count."""
        if self.started_at is None:
            return None
        return max(0.0, (self.started_at - self.submitted_at).total_seconds())

    def to_dict(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "tenant_id": self.tenant_id,
            "job_profile": self.job_profile,
            "cluster_profile": self.cluster_profile,
            "priority": self.priority,
            "submitted_at": iso(self.submitted_at),
            "started_at": iso(self.started_at),
            "ended_at": iso(self.ended_at),
            "outcome": self.outcome,
            "attempts": self.attempts,
            "wait_s": _seconds(self.wait_s),
            "run_time_s": _seconds(self.run_time_s),
        }


@dataclass(frozen=True)
class JobHistoryPage:
    runs: tuple[JobRun, ...]
    next_cursor: str | None
    """None on the last page."""


def job_history(index: AuditIndex, query: AuditQuery) -> JobHistoryPage:
    """The jobs submitted in [query.start, query.end), in submission order, a page at a time.
    Only the time range, limit and cursor of `query` count."""
    submitted = AuditQuery(
        start=query.start,
        end=query.end,
        detail_type=SUBMITTED,
        limit=query.limit,
        after=query.after,
    )
    page = index.page(submitted)
    runs = tuple(job_run(record, index.timeline(record.job_id or "")) for record in page.records)
    return JobHistoryPage(runs, page.next_cursor)


def job_run(submission: AuditRecord, timeline: list[AuditRecord]) -> JobRun:
    """One job's row from its JobSubmitted and its timeline (see the module docstring)."""
    started: AuditRecord | None = None
    last_start: AuditRecord | None = None
    ended: AuditRecord | None = None
    attempts = 0
    steps: dict[str, list[AuditRecord]] = {}
    for record in timeline:
        kind = record.detail_type
        if kind == "JobStarted":
            attempts += 1
            started = started or record
            last_start = record
        elif kind == STEP_CHANGE:
            steps.setdefault(record.text("stepId") or "", []).append(record)
        elif ended is None and _outcome(record) is not None:
            ended = record
    return JobRun(
        job_id=submission.job_id or "",
        tenant_id=submission.tenant_id or "",
        job_profile=submission.text("job_profile") or "",
        cluster_profile=submission.text("cluster_profile") or "",
        priority=submission.text("priority") or "",
        submitted_at=submission.moment("submitted_at") or submission.occurred_at,
        started_at=None if started is None else started.occurred_at,
        ended_at=None if ended is None else ended.occurred_at,
        outcome=None if ended is None else _outcome(ended),
        attempts=attempts,
        run_time_s=_run_time(last_start, ended, steps),
    )


def _outcome(record: AuditRecord) -> str | None:
    kind = record.detail_type
    if kind == "JobSucceeded":
        return "succeeded"
    if kind == "JobCancelled":
        return "cancelled"
    if kind == "JobFailed" and record.detail.get("final") is True:
        return "failed"
    return None


def _run_time(
    start: AuditRecord | None, end: AuditRecord | None, steps: dict[str, list[AuditRecord]]
) -> float | None:
    if start is None or end is None or end.occurred_ms < start.occurred_ms:
        return None
    changes = steps.get(start.text("step_id") or "", [])
    running = [r.occurred_ms for r in changes if r.text("state") == "RUNNING"]
    finished = [r.occurred_ms for r in changes if r.text("state") in STEP_ENDS]
    if running and finished and max(finished) >= min(running):
        return (max(finished) - min(running)) / 1000
    return (end.occurred_ms - start.occurred_ms) / 1000


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
