"""Start estimates: when a queued job is expected to get a slot, and from what.

Read from the dispatch board (board.py) at one moment; `estimate_start` says how.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from job_service.application.board import DispatchBoard


@dataclass(frozen=True)
class Estimate:
    """When a queued job is expected to get a slot, and from what (see `estimate_start`)."""

    start_at: datetime | None
    """None when nothing is known to estimate from (no cluster, no run or start-up seen)."""
    basis: str


def estimate_start(board: DispatchBoard, job_id: UUID, at: datetime) -> Estimate | None:
    """When a queued job is expected to get a slot; None if it is not queued.

    The jobs going before it (`DispatchQueue.ahead_of`: priority, aging, fair share) take
    the profile's slots in the order they free: free slots now, busy ones when their job is
    expected to end (allocated + the run time: the median of the profile's last
    RUN_TIMES_KEPT slot-holding times, or of every profile's before one of its own ended;
    now if overdue), starting clusters' slots when the pool outlook expects them ready (as
    many slots as the profile's clusters had), or, with no cluster at all, after a mean
    start-up. Each slot then frees every run time again, so the k-th job ahead is at slot
    k mod S in round k // S: O(S log S) for S slots. A job backing off starts no earlier
    than its retry_at; a tenant at a running quota no earlier than its first running job is
    expected to end. Without any run time seen, only a job that a free or starting slot
    takes is estimated. It ignores jobs submitted later that go first (higher priority,
    fair share) and clusters not yet requested."""
    job = board.jobs.get(job_id)
    if job is None or job.cluster_id is not None or job.queued_at is None:
        return None
    profile = job.cluster_profile
    ahead = board.dispatcher.queue(profile).ahead_of(job_id, at, board.shares(profile))
    if ahead is None:
        return None
    run, ran = _run_seconds(board, profile)
    slots = _slots_free_in(board, profile, at, run)
    starting, basis = _starting_slots(board, profile, at, slots)
    slots = sorted(slots + starting)
    parts = [f"{ahead} job{'' if ahead == 1 else 's'} ahead", basis, ran]
    rounds, index = divmod(ahead, len(slots) or 1)
    if not slots or (rounds and run is None):
        return Estimate(None, "; ".join(parts))
    seconds = slots[index] + rounds * (run or 0.0)
    if job.retry_at is not None and job.retry_at > at:
        seconds = max(seconds, (job.retry_at - at).total_seconds())
        parts.append("backing off until its retry_at")
    limit = board.quota_reached(job.tenant_id, profile)
    if limit is not None:
        seconds = max(seconds, _first_end_of(board, job.tenant_id, at))
        parts.append(f"{limit}, until its first running job ends")
    if math.isinf(seconds):
        return Estimate(None, "; ".join(parts))
    return Estimate(at + timedelta(seconds=seconds), "; ".join(parts))


def _run_seconds(board: DispatchBoard, cluster_profile: str) -> tuple[float | None, str]:
    """How long a run of the profile is expected to hold its slot, and the words."""
    times = board.run_times.get(cluster_profile)
    if times:
        return median(
            times
        ), f"median slot time {median(times):.0f} s of the last {len(times)} runs"
    pooled = [t for kept in board.run_times.values() for t in kept]
    if pooled:
        return median(pooled), (
            f"no run of the profile ended yet: median slot time {median(pooled):.0f} s of "
            f"the last {len(pooled)} runs of every profile"
        )
    return None, "no run ended yet to estimate run times from"


def _slots_free_in(
    board: DispatchBoard, cluster_profile: str, at: datetime, run: float | None
) -> list[float]:
    """Seconds from `at` until each slot of the profile's clusters taking jobs is free
    (infinite for a busy one when no run time is known)."""
    seconds = []
    for info in board.clusters.values():
        if not info.takes_jobs or info.cluster_profile != cluster_profile:
            continue
        held = board.slot_holders(info.cluster_id)
        for slot in range(info.slots):
            holder = held.get(slot)
            seconds.append(0.0 if holder is None else _expected_end(board, holder, at, run))
    return seconds


def _expected_end(board: DispatchBoard, job_id: UUID, at: datetime, run: float | None) -> float:
    """Seconds from `at` until a job holding a slot is expected to give it back."""
    if run is None:
        return math.inf
    began = board.jobs[job_id].allocated_at or at
    return max(0.0, (began - at).total_seconds() + run)


def _starting_slots(
    board: DispatchBoard, cluster_profile: str, at: datetime, ready: list[float]
) -> tuple[list[float], str]:
    """The slots of clusters starting (or to start, with none ready), and the words."""
    outlook = board.outlooks.outlook(cluster_profile, at)
    startup = board.outlooks.startup_seconds(cluster_profile)
    per_cluster = max(
        (c.slots for c in board.clusters.values() if c.cluster_profile == cluster_profile),
        default=1,
    )
    busy = sum(1 for s in ready if s > 0)
    words = (
        f"{len(ready) - busy} free and {busy} busy slots of cluster profile {cluster_profile}"
        if ready
        else f"no cluster of cluster profile {cluster_profile} ready"
    )
    if outlook.starting and outlook.ready_in_seconds is not None:
        count = outlook.starting * per_cluster
        ready_in = outlook.ready_in_seconds
        words += f", {count} more slots on clusters starting, ready in ~{ready_in:.0f} s"
        return [ready_in] * count, words
    if not ready and startup is not None:
        words += f", a cluster to start (~{startup:.0f} s)"
        return [startup] * per_cluster, words
    if not ready:
        words += ", and no cluster start-up seen yet to estimate from"
    return [], words


def _first_end_of(board: DispatchBoard, tenant_id: str, at: datetime) -> float:
    """Seconds until the tenant's first running job is expected to end."""
    ends = [
        _expected_end(board, job_id, at, _run_seconds(board, job.cluster_profile)[0])
        for job_id, job in board.holding()
        if job.tenant_id == tenant_id
    ]
    return min(ends, default=0.0)
