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
