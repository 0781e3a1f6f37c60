"""Queries of the REST API: a tenant's jobs page by page, and queue positions.

`JobDirectory` is a projection of the notification log, like the dispatch board: every job ever
submitted, per tenant, in submission order, with its current status. It is built on the first
listing in a process (one read of the whole log: unlike the board, it has no checkpoint, so a cold
process's first listing costs O(all events)) and kept current as one of the board reader's log
observers (the board's reads and this process's saves), so a listing costs the board's catch-up (one
Query when nothing is new). It needs every event: if the board starts over from a checkpoint ahead
of it, the reader first reads it the log up to the checkpoint. Memory grows with every job ever
submitted (a few hundred bytes each): fine for the hundreds of thousands of jobs a Lambda's memory
holds; beyond that, a read model table keyed by tenant and submission order replaces it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from job_service.application.board import Waiting
from job_service.application.board_reader import BoardReader
from job_service.application.store import JobStore, serialized
from job_service.domain import Job, JobStatus, Priority

MAX_PAGE: Final = 100


@dataclass
class JobEntry:
    """One job as a listing shows it; `seq` is its Submitted event's notification id."""

    job_id: UUID
    seq: int
    name: str
    job_profile: str
    priority: Priority
    status: JobStatus
    submitted_at: datetime


@dataclass(frozen=True)
class JobPage:
    """Up to `limit` jobs, newest first; `before` continues the listing after the last one."""

    jobs: list[JobEntry]
    before: int | None


_STATUS_AFTER: Final[dict[type, JobStatus]] = {
    Job.Queued: JobStatus.QUEUED,
    Job.Allocated: JobStatus.ALLOCATED,
    Job.Started: JobStatus.RUNNING,
    Job.Requeued: JobStatus.QUEUED,
    Job.Succeeded: JobStatus.SUCCEEDED,
    Job.Failed: JobStatus.FAILED,
    Job.Cancelled: JobStatus.CANCELLED,
}


class JobDirectory:
    """Every job by tenant, oldest first; `apply` takes the log's events in order."""

    def __init__(self) -> None:
        self.position = 0
        self._seqs: dict[str, list[int]] = {}
        self._entries: dict[int, JobEntry] = {}
        self._seq_of: dict[UUID, int] = {}

    def apply(self, event: Any, notification_id: int) -> None:
        if notification_id <= self.position:
            return
        if isinstance(event, Job.Submitted):
            self._add(event, notification_id)
        elif (status := _STATUS_AFTER.get(type(event))) is not None:
            seq = self._seq_of.get(event.originator_id)
            if seq is not None:
                self._entries[seq].status = status
        self.position = notification_id

    def resume_at(self, position: int) -> int:
        """It needs every event it has not seen, up to the board's new start."""
        return min(self.position, position)

    def page(
        self, tenant_id: str, accept: Callable[[JobEntry], bool], limit: int, before: int | None
    ) -> JobPage:
        """The tenant's newest `limit` jobs that `accept` takes, submitted before `before`."""
        seqs = self._seqs.get(tenant_id, [])
        end = len(seqs) if before is None else bisect_left(seqs, before)
        found: list[JobEntry] = []
        for index in range(end - 1, -1, -1):
            entry = self._entries[seqs[index]]
            if not accept(entry):
                continue
            if len(found) == limit:
                return JobPage(found, found[-1].seq)
            found.append(entry)
        return JobPage(found, None)

    def _add(self, event: Job.Submitted, seq: int) -> None:
        priority: Any = event.priority
        self._entries[seq] = JobEntry(
            job_id=event.originator_id,
            seq=seq,
            name=event.name,
            job_profile=event.job_profile,
            priority=priority,
            status=JobStatus.SUBMITTED,
            submitted_at=event.timestamp,
        )
        self._seq_of[event.originator_id] = seq
        self._seqs.setdefault(event.tenant_id, []).append(seq)


class JobQueries:
    """What the REST API reads besides single jobs: listings, and queue positions."""

    def __init__(self, store: JobStore, board: BoardReader) -> None:
        self.store = store
        self.board = board
        self._directory: JobDirectory | None = None

    @serialized
    def list_jobs(
        self,
        tenant_id: str,
        *,
        status: JobStatus | None = None,
        job_profile: str | None = None,
        limit: int = 20,
        before: int | None = None,
    ) -> JobPage:
        """The tenant's jobs, newest first, at most `limit` (1..MAX_PAGE) of them."""
        if not 1 <= limit <= MAX_PAGE:
            raise ValueError(f"limit must be 1..{MAX_PAGE}, not {limit}")
        self.board.current()
        directory = self._directory or self._build_directory()

        def accept(entry: JobEntry) -> bool:
            return (status is None or entry.status is status) and (
                job_profile is None or entry.job_profile == job_profile
            )

        return directory.page(tenant_id, accept, limit, before)

    @serialized
    def job_and_waiting(
        self, tenant_id: str, job_id: UUID | str, *, at: datetime
    ) -> tuple[Job, Waiting | None]:
        """The tenant's job, and its position, start estimate and quota if it is queued
        (JobUseCases' rules)."""
        job = self.store.tenants_job(tenant_id, job_id)
        if job.status is not JobStatus.QUEUED:
            return job, None
        return job, self.board.current().waiting(job.id, at)

    @serialized
    def waiting_after_submit(self, job: Job, *, at: datetime) -> Waiting | None:
        """The queue position and start estimate of a job `submit(..., at=at)` returned, read
        from the board as that save left it (no request) when the job is new; a job that an
        idempotency key found again, or a cold process, reads the log first."""
        board = self.board.held
        if board is None or job.created_on != at:
            board = self.board.current()
        return board.waiting(job.id, at)

    def _build_directory(self) -> JobDirectory:
        directory = JobDirectory()
        for event, notification_id in self.board.events(after=0):
            directory.apply(event, notification_id)
        self._directory = directory
        self.board.observe(directory)
        return directory
