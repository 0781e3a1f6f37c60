"""The demo's jobs: how each ended, and the waits per priority class."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cli.demo.workload import PRIORITIES
from cli.render import seconds_between


def nearest_rank(values: Iterable[float], percent: float) -> float | None:
    """The smallest value with at least `percent`% of the values at or below it (the monitor
    service's method); None without values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = math.ceil(percent * len(ordered) / 100)
    return ordered[max(rank, 1) - 1]


@dataclass(frozen=True)
class JobOutcome:
    job_id: str
    name: str
    profile: str
    priority: str
    status: str
    """The job's status at the end, or "lost" if the API no longer knew it."""
    submitted: str | None = None
    started: str | None = None
    finished: str | None = None
    attempts: int = 0
    tenant: str = ""
    """The demo's name for the tenant that submitted it."""
    estimated_start: str | None = None
    """The estimated_start_at POST /jobs answered (None: no estimate)."""

    @property
    def estimate_error_seconds(self) -> float | None:
        """How far the estimate given at submission was from the actual start, either way."""
        error = seconds_between(self.estimated_start, self.started)
        return None if error is None else abs(error)

    @property
    def run_seconds(self) -> float:
        """How long its (last) step held a slot; 0 if it did not run to an end."""
        return seconds_between(self.started, self.finished) or 0.0

    @property
    def wait_seconds(self) -> float | None:
        """From submission to the start of its (last) step; None if it never started."""
        return seconds_between(self.submitted, self.started)

    @classmethod
    def of(cls, job: Mapping[str, Any]) -> JobOutcome:
        times = job.get("times") or {}
        return cls(
            job["job_id"],
            job.get("name", ""),
            job.get("profile", ""),
            job.get("priority", ""),
            job.get("status", ""),
            times.get("submitted"),
            times.get("started"),
            times.get("finished"),
            int(job.get("attempts") or 0),
        )


@dataclass(frozen=True)
class WaitStats:
    priority: str
    jobs: int
    started: int
    p50: float | None
    p95: float | None


@dataclass(frozen=True)
class TenantStats:
    tenant: str
    jobs: int
    started: int
    p50: float | None
    p95: float | None
    slot_share: float | None
    """Its part of the slot time (step start to end) all the demo's jobs used."""


def tenant_stats(outcomes: Sequence[JobOutcome]) -> list[TenantStats]:
    """Per tenant, in order of appearance: the wait p50 and p95 and its share of slot time."""
    by_tenant: dict[str, list[JobOutcome]] = defaultdict(list)
    for job in outcomes:
        by_tenant[job.tenant].append(job)
    total = sum(job.run_seconds for job in outcomes)
    stats = []
    for tenant, jobs in by_tenant.items():
        waits = [w for job in jobs if (w := job.wait_seconds) is not None]
        used = sum(job.run_seconds for job in jobs)
        stats.append(
            TenantStats(
                tenant,
                len(jobs),
                len(waits),
                nearest_rank(waits, 50),
                nearest_rank(waits, 95),
                used / total if total else None,
            )
        )
    return stats


@dataclass(frozen=True)
class EstimateStats:
    """How well the start estimate given at submission foretold the actual start."""

    jobs: int
    """Jobs that started and had an estimate."""
    without: int
    """Jobs that started without an estimate (nothing to estimate from yet)."""
    median_error: float | None
    p90_error: float | None


def estimate_stats(outcomes: Sequence[JobOutcome]) -> EstimateStats:
    started = [job for job in outcomes if job.started is not None]
    errors = [e for job in started if (e := job.estimate_error_seconds) is not None]
    return EstimateStats(
        len(errors), len(started) - len(errors), nearest_rank(errors, 50), nearest_rank(errors, 90)
    )


def wait_stats(outcomes: Sequence[JobOutcome]) -> list[WaitStats]:
    """Per priority class (highest first), the p50 and p95 of the waits of the jobs that started."""
    waits: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for job in outcomes:
        counts[job.priority] += 1
        if (wait := job.wait_seconds) is not None:
            waits[job.priority].append(wait)
    order = [p for p in PRIORITIES if p in counts] + sorted(set(counts) - set(PRIORITIES))
    return [
        WaitStats(
            p, counts[p], len(waits[p]), nearest_rank(waits[p], 50), nearest_rank(waits[p], 95)
        )
        for p in order
    ]
