"""What each tenant uses, for admission: its waiting jobs and its cluster-hours per month.

`TenantUsage` is a projection of the notification log, one of the board reader's log observers
(like the job directory in listing.py), so a submission reads it after the board's catch-up and
it counts what every process saved. It needs the log from the start of the month at least; as
its state goes into the board's checkpoints (board_reader.py), a cold process reads it only the
log after the checkpoint, then it keeps current at the cost of the board's catch-up. Month totals
are kept for every month seen (one float per tenant and month).

Cluster-hours: a job's step holds one slot of a cluster of N slots, that is 1/N of the cluster,
from its Started event (the step was added to the cluster) to the end of that attempt (Succeeded,
Failed, Cancelled, or Requeued for another attempt). Its cluster-hours are those hours times 1/N,
summed over its attempts; hours are counted in the calendar month (UTC) they fall in (an attempt
across midnight of a month's end counts in both), and a step still running counts up to now.
Memory: one entry per open job, per cluster ever known, and per tenant and month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from job_service.domain import Job, KnownCluster
from job_service.domain.admission import Usage

_SECONDS_PER_HOUR = 3600.0


def month_start(at: datetime) -> datetime:
    """Midnight UTC of the first day of `at`'s calendar month (UTC)."""
    utc = at.astimezone(UTC)
    return utc.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(start: datetime) -> datetime:
    return (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )


def split_by_month(began: datetime, ended: datetime) -> list[tuple[datetime, float]]:
    """The hours from `began` to `ended` by the month (its start) they fall in."""
    parts = []
    start = month_start(began)
    while start < ended:
        end = next_month(start)
        seconds = (min(end, ended) - max(start, began)).total_seconds()
        if seconds > 0:
            parts.append((start, seconds / _SECONDS_PER_HOUR))
        start = end
    return parts


@dataclass
class _OpenJob:
    tenant_id: str
    waiting: bool = False
    cluster_id: str | None = None
    running_since: datetime | None = None
    share: float = 0.0


class TenantUsage:
    """Per tenant: jobs waiting, and cluster-hours by month; `apply` takes the log in order."""

    def __init__(self) -> None:
        self.position = 0
        self._jobs: dict[UUID, _OpenJob] = {}
        self._slots: dict[str, int] = {}
        self._waiting: dict[str, int] = {}
        self._running: dict[str, set[UUID]] = {}
        self._hours: dict[tuple[str, datetime], float] = {}

    def usage(self, tenant_id: str, at: datetime) -> Usage:
        """The tenant's waiting jobs, and its cluster-hours of `at`'s month up to `at`."""
        month = month_start(at)
        hours = self._hours.get((tenant_id, month), 0.0)
        for job_id in self._running.get(tenant_id, ()):
            job = self._jobs[job_id]
            if job.running_since is not None:
                for start, part in split_by_month(job.running_since, at):
                    if start == month:
                        hours += part * job.share
        return Usage(queued=self._waiting.get(tenant_id, 0), cluster_hours=hours)

    # As a log observer of the board reader.

    def apply(self, event: Any, notification_id: int) -> None:
        if notification_id <= self.position:
            return
        self.position = notification_id
        if isinstance(event, KnownCluster.Registered):
            self._slots[event.cluster_id] = event.slots
            return
        if isinstance(event, Job.Submitted):
            self._jobs[event.originator_id] = _OpenJob(event.tenant_id)
            return
        job = self._jobs.get(event.originator_id)
        if job is None:
            return
        if isinstance(event, Job.Queued | Job.Requeued):
            self._end_attempt(event.originator_id, job, event.timestamp)
            self._wait(job, True)
        elif isinstance(event, Job.Allocated):
            self._wait(job, False)
            job.cluster_id = event.cluster_id
        elif isinstance(event, Job.Started):
            job.running_since = event.timestamp
            self._running.setdefault(job.tenant_id, set()).add(event.originator_id)
            job.share = 1.0 / max(1, self._slots.get(job.cluster_id or "", 1))
        elif isinstance(event, Job.Succeeded | Job.Failed | Job.Cancelled):
            self._end_attempt(event.originator_id, job, event.timestamp)
            self._wait(job, False)
            del self._jobs[event.originator_id]

    def resume_at(self, position: int) -> int:
        """It needs every event it has not seen (none before a checkpoint that restored it)."""
        return self.position

    checkpoint_key = "tenant_usage"

    def state(self) -> Any:
        """Everything as JSON-able values (times as ISO 8601 text)."""
        return {
            "jobs": [
                [
                    str(job_id),
                    job.tenant_id,
                    job.waiting,
                    job.cluster_id,
                    None if job.running_since is None else job.running_since.isoformat(),
                    job.share,
                ]
                for job_id, job in self._jobs.items()
            ],
            "slots": dict(self._slots),
            "hours": [[t, month.isoformat(), hours] for (t, month), hours in self._hours.items()],
        }

    def restore(self, state: Any, position: int) -> None:
        self._jobs, self._waiting, self._running = {}, {}, {}
        for job_id, tenant_id, waiting, cluster_id, since, share in state["jobs"]:
            running_since = None if since is None else datetime.fromisoformat(since)
            job = _OpenJob(tenant_id, False, cluster_id, running_since, share)
            self._jobs[UUID(job_id)] = job
            self._wait(job, waiting)
            if running_since is not None:
                self._running.setdefault(tenant_id, set()).add(UUID(job_id))
        self._slots = dict(state["slots"])
        self._hours = {(t, datetime.fromisoformat(m)): h for t, m, h in state["hours"]}
        self.position = position

    def _wait(self, job: _OpenJob, waiting: bool) -> None:
        if job.waiting != waiting:
            job.waiting = waiting
            self._waiting[job.tenant_id] = self._waiting.get(job.tenant_id, 0) + (
                1 if waiting else -1
            )

    def _end_attempt(self, job_id: UUID, job: _OpenJob, at: datetime) -> None:
        if job.running_since is None:
            return
        self._running.get(job.tenant_id, set()).discard(job_id)
        for month, hours in split_by_month(job.running_since, at):
            key = (job.tenant_id, month)
            self._hours[key] = self._hours.get(key, 0.0) + hours * job.share
        job.running_since, job.cluster_id, job.share = None, None, 0.0
