"""SLA on waiting: a job must start within its priority's target after it was accepted.

A breach is decided once per job (the SlaBreach aggregate's id is the job's), either by the tick
(the job is still not started `target` after acceptance: waited = tick time - acceptance) or
when the evidence arrives (the first attempt's JobStarted, or a late JobSubmitted, shows
start - acceptance >= target: waited = that difference). Only attempt 1's start is evidence
(an attempt given back is used again, so a job's first start is always attempt 1): a later
attempt's start arriving first must not decide a breach the first start would contradict.
A job cancelled or ended before starting is not watched any more; an unstarted job is watched
from acceptance until its start, end or breach.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final

from monitor_service.domain.errors import InvalidPolicy
from monitor_service.domain.records import PRIORITIES, AuditRecord, to_ms

DEFAULT_TARGETS: Final = {"critical": 60.0, "high": 300.0, "normal": 1800.0, "low": 7200.0}
_TERMINAL: Final = frozenset({"JobSucceeded", "JobCancelled"})


@dataclass(frozen=True)
class SlaTargets:
    """Seconds from acceptance to start, per priority class."""

    seconds: Mapping[str, float]

    def __post_init__(self) -> None:
        if set(self.seconds) != set(PRIORITIES):
            raise InvalidPolicy(f"SLA targets must name exactly {', '.join(PRIORITIES)}")
        if any(not value > 0 for value in self.seconds.values()):
            raise InvalidPolicy("every SLA target must be more than 0 seconds")

    @classmethod
    def default(cls) -> SlaTargets:
        return cls(dict(DEFAULT_TARGETS))

    def target_ms(self, priority: str) -> int:
        return round(self.seconds.get(priority, DEFAULT_TARGETS["normal"]) * 1000)


@dataclass(frozen=True)
class Breach:
    job_id: str
    tenant_id: str
    cluster_profile: str
    priority: str
    waited_seconds: float
    target_seconds: float


@dataclass(frozen=True)
class WatchedJob:
    tenant_id: str = ""
    cluster_profile: str = ""
    priority: str = ""
    submitted_ms: int | None = None
    started_ms: int | None = None
    first_start_ms: int | None = None
    """When attempt 1 started: the evidence for a breach."""
    ended: bool = False
    breached: bool = False

    def after(self, record: AuditRecord) -> WatchedJob:
        kind = record.detail_type
        if kind == "JobSubmitted":
            submitted = record.moment("submitted_at")
            return replace(
                self,
                tenant_id=record.tenant_id or "",
                priority=record.text("priority") or "",
                cluster_profile=record.text("cluster_profile") or "",
                submitted_ms=record.occurred_ms if submitted is None else to_ms(submitted),
            )
        if kind == "JobStarted":
            ms = record.occurred_ms
            started = ms if self.started_ms is None else min(ms, self.started_ms)
            first = self.first_start_ms
            if record.number("attempt") == 1:
                first = ms if first is None else min(ms, first)
            return replace(self, started_ms=started, first_start_ms=first)
        if kind in _TERMINAL or (kind == "JobFailed" and record.detail.get("final") is True):
            return replace(self, ended=True)
        return self

    @property
    def waiting(self) -> bool:
        return self.submitted_ms is not None and self.started_ms is None and not self.ended


class SlaWatch:
    """Jobs waiting for their start, by deadline; see the module docstring."""

    def __init__(self, targets: SlaTargets) -> None:
        self.targets = targets
        self.jobs: dict[str, WatchedJob] = {}
        self._deadlines: list[tuple[int, str]] = []
        self.breaches: Counter[tuple[str, str, str]] = Counter()
        """(profile, priority, tenant) -> breaches decided."""
        self._waiting: dict[str, list[tuple[int, str]]] = {}
        """priority -> (acceptance, job id) of every job not started yet, breached or not."""

    def apply(self, record: AuditRecord) -> None:
        if record.job_id and record.detail_type.startswith("Job"):
            before = self.jobs.get(record.job_id, WatchedJob())
            self._replace(record.job_id, before, before.after(record))

    def breached(self, breach: Breach) -> None:
        """A breach was decided (and stored): count it, stop watching the job."""
        before = self.jobs.get(breach.job_id, WatchedJob())
        if not before.breached:
            key = (breach.cluster_profile, breach.priority, breach.tenant_id)
            self.breaches[key] += 1
            self._replace(breach.job_id, before, replace(before, breached=True))

    def _replace(self, job_id: str, before: WatchedJob, after: WatchedJob) -> None:
        if before.waiting and not before.breached:
            entry = (self._deadline(before), job_id)
            del self._deadlines[bisect_left(self._deadlines, entry)]
        if after.waiting and not after.breached:
            insort(self._deadlines, (self._deadline(after), job_id))
        if before.waiting:
            waiting = self._waiting[before.priority]
            del waiting[bisect_left(waiting, (before.submitted_ms or 0, job_id))]
        if after.waiting:
            insort(self._waiting.setdefault(after.priority, []), (after.submitted_ms or 0, job_id))
        self.jobs[job_id] = after

    def oldest_waits(self, at_ms: int) -> dict[str, float]:
        """priority -> seconds the longest-waiting job not started yet has waited at `at`."""
        return {
            priority: max(0, at_ms - waiting[0][0]) / 1000
            for priority, waiting in sorted(self._waiting.items())
            if waiting
        }

    def _deadline(self, job: WatchedJob) -> int:
        return (job.submitted_ms or 0) + self.targets.target_ms(job.priority)

    def due(self, at_ms: int) -> list[Breach]:
        """Jobs still not started at `at` whose wait reached their target."""
        found = []
        for deadline, job_id in self._deadlines:
            if deadline > at_ms:
                break
            found.append(self._breach(job_id, self.jobs[job_id], at_ms))
        return found

    def revealed_by(self, record: AuditRecord) -> Breach | None:
        """The breach this record proves (a start too late after acceptance), if any."""
        if not record.job_id or not record.detail_type.startswith("Job"):
            return None
        job = self.jobs.get(record.job_id, WatchedJob()).after(record)
        if job.breached or job.submitted_ms is None or job.first_start_ms is None:
            return None
        if job.first_start_ms - job.submitted_ms < self.targets.target_ms(job.priority):
            return None
        return self._breach(record.job_id, job, job.first_start_ms)

    def _breach(self, job_id: str, job: WatchedJob, at_ms: int) -> Breach:
        submitted = job.submitted_ms or 0
        return Breach(
            job_id=job_id,
            tenant_id=job.tenant_id,
            cluster_profile=job.cluster_profile,
            priority=job.priority,
            waited_seconds=(at_ms - submitted) / 1000,
            target_seconds=self.targets.target_ms(job.priority) / 1000,
        )
