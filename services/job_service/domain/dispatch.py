"""The dispatch queues: which queued job of a cluster profile gets the next free slot.

The order is the ranking policy's (ranking.py: priority with aging, Invariants 3 and 5). Within a
class, jobs go FIFO by `seq` (the caller's submission order: a retry keeps its place), except that
`requeue_at_head` puts a job before every other job of its class.

Cost: one heap per class holds its eligible jobs in seq order; a decision compares the 4 heads
(O(1)) and pops one (O(log n)). Jobs in back-off wait in a heap on retry_at and move to their
class's heap once due (O(log n), once). `remove` is lazy: a removed job is dropped when it
reaches a head. Only heads are compared, so a class headed by a retry (whose clock started at
its retry_at) is judged by that head's wait, not by an older job behind it: aging is exact for
first attempts and may lag by a retry's back-off otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from heapq import heappop, heappush
from typing import Any, Final, NamedTuple
from uuid import UUID

from job_service.domain.ranking import dispatch_key
from job_service.domain.values import PRIORITIES, PRIORITY_RANK, Priority

_CLASSES: Final = len(PRIORITIES)


class _Entry:
    """One job's place in the queue; replaced, never edited, when the job is enqueued again."""

    __slots__ = ("job_id", "rank", "ready", "seq", "since", "ticket")

    def __init__(self, job_id: UUID, rank: int, seq: int, since: float) -> None:
        self.job_id, self.rank, self.seq, self.since = job_id, rank, seq, since
        self.ready, self.ticket = False, 0


class DispatchQueue:
    """The queued jobs of one cluster profile, in dispatch order; a job is in it at most once."""

    def __init__(self) -> None:
        self._ready: list[list[tuple[int, int, _Entry]]] = [[] for _ in range(_CLASSES)]
        self._backing_off: list[tuple[float, int, _Entry]] = []
        self._live: dict[UUID, _Entry] = {}
        self._ready_count = [0] * _CLASSES
        self._issued = [0] * _CLASSES
        """Per class: tickets given to jobs entering its heap (for `position`)."""
        self._served = [0] * _CLASSES
        """Per class: entries that left its heap, dispatched or dropped."""
        self._head_seq = 0
        self._pushes = 0
        """Heap pushes so far: the tie-breaker of equal keys (a count, so `state` can keep it)."""

    def __len__(self) -> int:
        """Jobs in the queue, those in back-off included."""
        return len(self._live)

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._live

    def enqueue(
        self,
        job_id: UUID,
        priority: Priority,
        enqueued_at: datetime,
        seq: int,
        retry_at: datetime | None = None,
    ) -> None:
        """Queue `job_id` in seq order within its priority, eligible from retry_at if later."""
        if seq < 0:
            raise ValueError(f"seq must be >= 0, not {seq}")
        since = max(enqueued_at, retry_at) if retry_at is not None else enqueued_at
        entry = self._replace(job_id, priority, seq, since)
        if since > enqueued_at:
            heappush(self._backing_off, (entry.since, self._next_push(), entry))
        else:
            self._make_ready(entry, self._issued[entry.rank])

    def requeue_at_head(self, job_id: UUID, priority: Priority, enqueued_at: datetime) -> None:
        """Queue `job_id` before every other job of its priority, eligible at once."""
        self._head_seq -= 1
        entry = self._replace(job_id, priority, self._head_seq, enqueued_at)
        self._make_ready(entry, self._served[entry.rank])

    def remove(self, job_id: UUID) -> bool:
        """Take `job_id` out of the queue (e.g. cancelled); False if it was not in it."""
        entry = self._live.pop(job_id, None)
        if entry is not None and entry.ready:
            self._ready_count[entry.rank] -= 1
        return entry is not None

    def peek(self, at: datetime) -> UUID | None:
        """The job `next(at)` would return, left in the queue."""
        entry = self._choose(at.timestamp())
        return None if entry is None else entry.job_id

    def next(self, at: datetime) -> UUID | None:
        """Take the job that goes next at `at`, or None if no job is eligible."""
        entry = self._choose(at.timestamp())
        if entry is None:
            return None
        heappop(self._ready[entry.rank])
        self._served[entry.rank] += 1
        self._ready_count[entry.rank] -= 1
        del self._live[entry.job_id]
        return entry.job_id

    def position(self, job_id: UUID, at: datetime) -> int | None:
        """How many jobs go before `job_id`: 0 exactly for the next job, else an estimate.

        The estimate counts every eligible job of a higher priority plus the jobs that entered
        its class's heap before it and have not left (cancelled ones until they are dropped);
        it ignores aging and retries that take their earlier place. None if the job is not in
        the queue or is still backing off."""
        now = at.timestamp()
        best = self._choose(now)
        entry = self._live.get(job_id)
        if entry is None or not entry.ready:
            return None
        if entry is best:
            return 0
        in_class = entry.ticket - self._served[entry.rank]
        return max(1, in_class + sum(self._ready_count[: entry.rank]))

    def state(self) -> dict[str, Any]:
        """Everything the queue decides on, as JSON-able lists: the heaps as they lie (removed
        entries not dropped yet included, since `position` counts them) and the counters."""
        return {
            "ready": [
                [
                    [seq, order, str(e.job_id), e.since, e.ticket, self._is_live(e)]
                    for seq, order, e in heap
                ]
                for heap in self._ready
            ],
            "backing_off": [
                [since, order, str(e.job_id), e.rank, e.seq, self._is_live(e)]
                for since, order, e in self._backing_off
            ],
            "ready_count": list(self._ready_count),
            "issued": list(self._issued),
            "served": list(self._served),
            "head_seq": self._head_seq,
            "pushes": self._pushes,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> DispatchQueue:
        """The queue `state()` described, deciding exactly as it did."""
        queue = cls()
        for rank, heap in enumerate(state["ready"]):
            for seq, order, job_id, since, ticket, live in heap:
                entry = queue._restored(UUID(job_id), rank, seq, since, live)
                entry.ready, entry.ticket = True, ticket
                queue._ready[rank].append((seq, order, entry))
        for since, order, job_id, rank, seq, live in state["backing_off"]:
            entry = queue._restored(UUID(job_id), rank, seq, since, live)
            queue._backing_off.append((since, order, entry))
        queue._ready_count = list(state["ready_count"])
        queue._issued, queue._served = list(state["issued"]), list(state["served"])
        queue._head_seq, queue._pushes = state["head_seq"], state["pushes"]
        return queue

    def _is_live(self, entry: _Entry) -> bool:
        return self._live.get(entry.job_id) is entry

    def _restored(self, job_id: UUID, rank: int, seq: int, since: float, live: bool) -> _Entry:
        entry = _Entry(job_id, rank, seq, since)
        if live:
            self._live[job_id] = entry
        return entry

    def _replace(self, job_id: UUID, priority: Priority, seq: int, since: datetime) -> _Entry:
        self.remove(job_id)
        entry = _Entry(job_id, PRIORITY_RANK[priority], seq, since.timestamp())
        self._live[job_id] = entry
        return entry

    def _make_ready(self, entry: _Entry, ticket: int) -> None:
        entry.ready, entry.ticket = True, ticket
        if ticket == self._issued[entry.rank]:
            self._issued[entry.rank] += 1
        self._ready_count[entry.rank] += 1
        heappush(self._ready[entry.rank], (entry.seq, self._next_push(), entry))

    def _next_push(self) -> int:
        self._pushes += 1
        return self._pushes

    def _choose(self, now: float) -> _Entry | None:
        """The eligible job with the smallest (effective rank, since, rank, seq) at `now`."""
        self._promote(now)
        best: _Entry | None = None
        best_key = (_CLASSES, 0.0, 0, 0)
        for rank in range(_CLASSES):
            entry = self._head(rank)
            if entry is None:
                continue
            key = dispatch_key(rank, entry.since, entry.seq, now)
            if key < best_key:
                best, best_key = entry, key
        return best

    def _head(self, rank: int) -> _Entry | None:
        """The first live entry of a class's heap, dropping removed ones on the way."""
        heap = self._ready[rank]
        while heap:
            entry = heap[0][2]
            if self._live.get(entry.job_id) is entry:
                return entry
            heappop(heap)
            self._served[rank] += 1
        return None

    def _promote(self, now: float) -> None:
        """Move jobs whose back-off is over into their class's heap."""
        backing_off = self._backing_off
        while backing_off and backing_off[0][0] <= now:
            entry = heappop(backing_off)[2]
            if self._live.get(entry.job_id) is entry:
                self._make_ready(entry, self._issued[entry.rank])


class Allocation(NamedTuple):
    job_id: UUID
    cluster_id: str
    slot: int


class Dispatcher:
    """One DispatchQueue per cluster profile, and the rule giving free slots to queued jobs."""

    def __init__(self) -> None:
        self._queues: dict[str, DispatchQueue] = {}

    def settle(self, at: datetime) -> None:
        """Have every queue drop the removed jobs at its heads and promote the retries due, as
        a query at `at` would: a board read from the log keeps every job it saw allocated until
        its profile's queue is next asked."""
        for queue in self._queues.values():
            queue.peek(at)

    def state(self) -> dict[str, Any]:
        """Each profile's queue's `state()`, by profile."""
        return {profile: queue.state() for profile, queue in self._queues.items()}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Dispatcher:
        dispatcher = cls()
        for profile, queue in state.items():
            dispatcher._queues[profile] = DispatchQueue.from_state(queue)
        return dispatcher

    def queue(self, cluster_profile: str) -> DispatchQueue:
        """The queue of `cluster_profile` (a job always uses its own profile's queue)."""
        queue = self._queues.get(cluster_profile)
        if queue is None:
            queue = self._queues[cluster_profile] = DispatchQueue()
        return queue

    def allocations(
        self, cluster_profile: str, free_slots: Iterable[tuple[str, int]], at: datetime
    ) -> Iterator[Allocation]:
        """Pair free (cluster_id, slot)s with the profile's next jobs, in dispatch order.

        Each slot gets at most one job (repeated slots are skipped) and each job at most one
        slot (it leaves the queue as it is yielded); stops when the queue has no eligible job."""
        queue = self.queue(cluster_profile)
        taken: set[tuple[str, int]] = set()
        for cluster_id, slot in free_slots:
            if (cluster_id, slot) in taken:
                continue
            job_id = queue.next(at)
            if job_id is None:
                return
            taken.add((cluster_id, slot))
            yield Allocation(job_id, cluster_id, slot)
