"""The policy that sizes a pool: `decide`, a pure function of the pool's thresholds, a view of
its clusters, the queued demand and the time. In words:

1. A FAILED cluster whose stack is not yet being deleted is decommissioned ("failed"): its stack
   must go (invariant 6), and it no longer counts toward anything.
2. MAXIMUM counts every cluster that is not FAILED or TERMINATED: coming (REQUESTED, PROVISIONING,
   STARTING, BOOTSTRAPPING), serving (READY, BUSY) and DECOMMISSIONING. No decision ever starts a
   cluster that would take that count above MAXIMUM (invariant 4, even transiently).
3. MINIMUM counts coming and serving clusters. Below it, start the difference ("below_minimum").
   MINIMUM here is the effective one: the larger of the pool's and its schedule's value for the
   hour (`minimum=`, from Pool.effective_minimum), never above MAXIMUM.
4. When queued jobs exceed the free slots of serving clusters plus the slots of coming ones (and of
   those just started for the minimum), start enough clusters for the rest ("queued_demand"),
   up to MAXIMUM. While FAILED clusters are not yet cleaned up, starts are labelled "replacement".
5. Only when nothing is started: while coming and serving clusters exceed MAXIMUM (thresholds
   lowered), decommission READY clusters, longest idle first ("above_maximum"). Then decommission
   READY clusters idle for at least the TTL, longest idle first ("idle_timeout"), while the pool
   stays at or above MINIMUM and the remaining free and coming slots still cover the queued jobs.
   A BUSY cluster is never chosen. MAXIMUM 0 (a drained pool) thus starts nothing and
   decommissions each READY cluster as soon as it is idle; BUSY ones finish their steps first.

One pass over the clusters, plus a heap for the few longest idle: O(n + k log n). The starts
are counted first and only `max_starts` of them are made (the caller starts the rest on a later
pass), so no decision costs more for a larger MINIMUM or MAXIMUM.
"""

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from cluster_service.domain.lifecycle import (
    COMING,
    ClusterRequestReason,
    ClusterState,
    ClusterView,
    DecommissionReason,
)


class Thresholds(Protocol):
    """What `decide` reads of a pool (a Pool, or any object with these attributes)."""

    @property
    def minimum(self) -> int: ...
    @property
    def maximum(self) -> int: ...
    @property
    def idle_ttl_seconds(self) -> int: ...


@dataclass(frozen=True, slots=True)
class StartCluster:
    reason: ClusterRequestReason


@dataclass(frozen=True, slots=True)
class Decommission:
    cluster_id: UUID
    reason: DecommissionReason


Decision = StartCluster | Decommission


@dataclass(slots=True)
class _Tally:
    """The pool at a glance, from one pass over its clusters."""

    live: int = 0
    occupying: int = 0
    free_slots: int = 0
    coming_slots: int = 0
    unreplaced_failures: int = 0
    to_clean: list[UUID] = field(default_factory=list)
    idle: list[tuple[datetime, ClusterView]] = field(default_factory=list)
    """READY clusters without a job, with when they became idle."""


_FAILED, _TERMINATED, _READY = ClusterState.FAILED, ClusterState.TERMINATED, ClusterState.READY
_DECOMMISSIONING = ClusterState.DECOMMISSIONING


def _tally(clusters: Sequence[ClusterView]) -> _Tally:
    """One pass; enum members are bound to module names, as looking them up costs ~100 ns."""
    t = _Tally()
    live = occupying = free = coming = 0
    for c in clusters:
        state = c.state
        if state is _FAILED:
            if not c.stack_delete_requested:
                t.to_clean.append(c.cluster_id)
        elif state is _TERMINATED:
            pass
        elif state is _DECOMMISSIONING:
            occupying += 1
        elif state in COMING:
            live += 1
            coming += c.slots
        else:
            live += 1
            free += c.slots - c.busy_slots
            if state is _READY and c.busy_slots == 0 and c.idle_since is not None:
                t.idle.append((c.idle_since, c))
    t.live, t.occupying, t.free_slots, t.coming_slots = live, occupying + live, free, coming
    t.unreplaced_failures = len(t.to_clean)
    return t


def decide(
    pool: Thresholds,
    clusters: Sequence[ClusterView],
    queued_jobs: int,
    at: datetime,
    *,
    slots_per_cluster: int = 1,
    minimum: int | None = None,
    max_starts: int | None = None,
) -> list[Decision]:
    """What to start and what to decommission now; `slots_per_cluster` is the profile's slots;
    `minimum` the effective MINIMUM when a schedule raises it (None: the pool's own);
    `max_starts` the most StartClusters to return (None: every one the pool needs)."""
    if queued_jobs < 0 or slots_per_cluster < 1 or (max_starts is not None and max_starts < 0):
        raise ValueError("queued_jobs and max_starts must be >= 0, slots_per_cluster >= 1")
    least = pool.minimum if minimum is None else min(pool.maximum, max(0, minimum))
    t = _tally(clusters)
    decisions: list[Decision] = [Decommission(cid, "failed") for cid in t.to_clean]
    starts = _starts(pool, least, t, queued_jobs, slots_per_cluster, max_starts)
    if starts:
        return decisions + starts
    return decisions + _surplus(pool, least, t, queued_jobs, at)


def _starts(
    pool: Thresholds,
    minimum: int,
    t: _Tally,
    queued_jobs: int,
    per_cluster: int,
    max_starts: int | None,
) -> list[Decision]:
    """The first `max_starts` of the starts needed, replacements first, then the minimum's,
    then the demand's; only the starts returned are ever built."""
    below = max(0, minimum - t.live)
    covered = t.free_slots + t.coming_slots + below * per_cluster
    for_demand = -(-max(0, queued_jobs - covered) // per_cluster)  # ceiling, in whole numbers
    needed = max(0, min(pool.maximum - t.occupying, below + for_demand))
    count = needed if max_starts is None else min(needed, max_starts)
    replacements = min(count, t.unreplaced_failures)
    for_minimum = max(0, min(below, needed) - replacements)
    reasons: list[ClusterRequestReason] = ["replacement"] * replacements
    reasons += ["below_minimum"] * min(for_minimum, count - replacements)
    reasons += ["queued_demand"] * (count - len(reasons))
    return [StartCluster(r) for r in reasons]


def _surplus(
    pool: Thresholds, minimum: int, t: _Tally, queued_jobs: int, at: datetime
) -> list[Decision]:
    over = max(0, t.live - pool.maximum)  # clusters already being deleted are on their way out
    by_idle = [c for _, c in heapq.nsmallest(t.live - minimum, t.idle, key=_first)]
    decisions: list[Decision] = [
        Decommission(c.cluster_id, "above_maximum") for c in by_idle[:over]
    ]
    live = t.live - len(decisions)
    spare = t.free_slots + t.coming_slots - queued_jobs - sum(c.slots for c in by_idle[:over])
    ttl = timedelta(seconds=pool.idle_ttl_seconds)
    for c in by_idle[over:]:
        if live <= minimum or c.idle_since is None or at - c.idle_since < ttl:
            break
        if spare < c.slots:
            continue
        decisions.append(Decommission(c.cluster_id, "idle_timeout"))
        live -= 1
        spare -= c.slots
    return decisions


def _first(item: tuple[datetime, ClusterView]) -> datetime:
    return item[0]
