"""The dispatch queues: which queued job of a cluster profile gets the next free slot.

The order is the ranking policy's (ranking.py: priority with aging, Invariants 3 and 5) between
priority classes, and weighted fair share between tenants within a class:
- A class is judged by its oldest eligible head (its key is the smallest `dispatch_key` among its
  tenants' heads), so aging works on classes as before: a class that has waited long enough goes
  before younger jobs of higher classes.
- Within the chosen class the slot goes to the tenant furthest below its weighted share of the
  running slots: among the tenants with a job at the head of that class, with weights w and
  running jobs r (of this profile, as `TenantShares` says), R = sum(r) + 1 slots shared, the
  tenant with the largest deficit R * w / sum(w) - r goes (weighted least-running-first); equal
  deficits go by seq (FIFO). With every tenant backlogged this keeps each tenant's running jobs
  within one slot of its weighted share (docs/architecture.md, "Fair share").
- Share alone never gives a slot to a tenant whose weight is worth less than one slot (w / W <
  1 / slots). So a tenant with nothing running in the profile whose head has waited PATIENCE since
  it became eligible and since the tenant's last slot in this queue goes first within the class
  (the longest waiting first): no tenant with queued work waits forever.
- A tenant that `TenantShares.admits` refuses (at a running quota) is passed over: its jobs stay
  queued while other tenants' jobs go.
Within one tenant and class, jobs go FIFO by `seq` (the caller's submission order: a retry keeps
its place), except that `requeue_at_head` puts a job before every other job of its tenant and
class.

Cost: one heap per (class, tenant) holds its eligible jobs in seq order; a decision compares the
heads (O(classes x tenants waiting)) and pops one (O(log n)). Jobs in back-off wait in a heap on
retry_at and move to their heap once due (O(log n), once). `remove` is lazy: a removed job is
dropped when it reaches a head. Only heads are compared, so a heap headed by a retry (whose clock
started at its retry_at) is judged by that head's wait, not by an older job behind it: aging is
exact for first attempts and may lag by a retry's back-off otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from heapq import heappop, heappush
from math import ceil
from typing import Any, Final, NamedTuple, Protocol
from uuid import UUID

from job_service.domain.ranking import AGING_STEP, dispatch_key
from job_service.domain.values import PRIORITIES, PRIORITY_RANK, Priority

_CLASSES: Final = len(PRIORITIES)
PATIENCE: Final = 3 * AGING_STEP.total_seconds()
"""How long a tenant with nothing running may wait for its first slot before share is overruled
(900 s: as long as aging takes to lift a low job to critical)."""


class TenantShares(Protocol):
    """What a queue needs to know of the tenants at one decision (the board answers it)."""

    def running(self, tenant_id: str) -> int:
        """The tenant's jobs holding a slot of this queue's cluster profile."""
        ...

    def weight(self, tenant_id: str) -> float:
        """The tenant's fair-share weight (> 0)."""
        ...

    def admits(self, tenant_id: str) -> bool:
        """False while the tenant is at a running quota: its jobs must not get a slot now."""
        ...


class EvenShares:
    """Every tenant weighs 1, runs nothing and is admitted: plain priority and FIFO order."""

    def running(self, tenant_id: str) -> int:
        return 0

    def weight(self, tenant_id: str) -> float:
        return 1.0

    def admits(self, tenant_id: str) -> bool:
        return True


EVEN: Final = EvenShares()


class _Entry:
    """One job's place in the queue; replaced, never edited, when the job is enqueued again."""

    __slots__ = ("job_id", "rank", "ready", "seq", "since", "tenant_id", "ticket")

    def __init__(self, job_id: UUID, rank: int, seq: int, since: float, tenant_id: str) -> None:
        self.job_id, self.rank, self.seq, self.since = job_id, rank, seq, since
        self.tenant_id = tenant_id
        self.ready, self.ticket = False, 0


class _Bucket:
    """The eligible jobs of one tenant in one class, in seq order, and its position counters."""

    __slots__ = ("heap", "issued", "ready", "served")

    def __init__(self) -> None:
        self.heap: list[tuple[int, int, _Entry]] = []
        self.issued = 0
        """Tickets given to jobs entering the heap (for `position`)."""
        self.served = 0
        """Entries that left the heap, dispatched or dropped."""
        self.ready = 0
        """Live entries in the heap."""


class DispatchQueue:
    """The queued jobs of one cluster profile, in dispatch order; a job is in it at most once."""

    def __init__(self) -> None:
        self._classes: list[dict[str, _Bucket]] = [{} for _ in range(_CLASSES)]
        """Per class: each tenant's bucket (a bucket goes once it is empty)."""
        self._backing_off: list[tuple[float, int, _Entry]] = []
        self._live: dict[UUID, _Entry] = {}
        self._last_served: dict[str, float] = {}
        """When each tenant last got a slot of this queue (for PATIENCE)."""
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
        tenant_id: str = "",
    ) -> None:
        """Queue `job_id` in seq order within its tenant and priority, eligible from retry_at
        if later."""
        if seq < 0:
            raise ValueError(f"seq must be >= 0, not {seq}")
        since = max(enqueued_at, retry_at) if retry_at is not None else enqueued_at
        entry = self._replace(job_id, priority, seq, since, tenant_id)
        if since > enqueued_at:
            heappush(self._backing_off, (entry.since, self._next_push(), entry))
        else:
            self._make_ready(entry, None)

    def requeue_at_head(
        self, job_id: UUID, priority: Priority, enqueued_at: datetime, tenant_id: str = ""
    ) -> None:
        """Queue `job_id` before every other job of its tenant and priority, eligible at once."""
        self._head_seq -= 1
        entry = self._replace(job_id, priority, self._head_seq, enqueued_at, tenant_id)
        self._make_ready(entry, self._bucket(entry).served)

    def remove(self, job_id: UUID) -> bool:
        """Take `job_id` out of the queue (e.g. cancelled); False if it was not in it."""
        entry = self._live.pop(job_id, None)
        if entry is not None and entry.ready:
            self._classes[entry.rank][entry.tenant_id].ready -= 1
        return entry is not None

    def peek(self, at: datetime, shares: TenantShares = EVEN) -> UUID | None:
        """The job `next(at, shares)` would return, left in the queue."""
        entry = self._choose(at.timestamp(), shares)
        return None if entry is None else entry.job_id

    def next(self, at: datetime, shares: TenantShares = EVEN) -> UUID | None:
        """Take the job that goes next at `at`, or None if no job is eligible."""
        entry = self._choose(at.timestamp(), shares)
        if entry is None:
            return None
        bucket = self._classes[entry.rank][entry.tenant_id]
        heappop(bucket.heap)
        bucket.served += 1
        bucket.ready -= 1
        del self._live[entry.job_id]
        self._drop_if_empty(entry.rank, entry.tenant_id)
        self._last_served[entry.tenant_id] = at.timestamp()
        return entry.job_id

    def position(self, job_id: UUID, at: datetime, shares: TenantShares = EVEN) -> int | None:
        """How many jobs go before `job_id`: 0 exactly for the next job, else an estimate.

        The estimate counts every eligible job of a higher priority, the jobs of its own
        tenant and class that entered the heap before it and have not left (cancelled ones
        until they are dropped), and of each other tenant of its class the jobs that fair share
        lets go meanwhile (its weight's part of them, at most all it has waiting); it ignores
        aging, running jobs and retries that take their earlier place. None if the job is not
        in the queue or is still backing off."""
        best = self._choose(at.timestamp(), shares)
        entry = self._live.get(job_id)
        if entry is None or not entry.ready:
            return None
        if entry is best:
            return 0
        return max(1, self._ahead(entry, entry.ticket - self._bucket(entry).served, shares))

    def ahead_of(self, job_id: UUID, at: datetime, shares: TenantShares = EVEN) -> int | None:
        """`position`, or for a job backing off every eligible job of its class or a higher one
        (they go before it once it is back); None if the job is not in the queue."""
        entry = self._live.get(job_id)
        if entry is None:
            return None
        if entry.ready:
            return self.position(job_id, at, shares)
        return sum(b.ready for c in self._classes[: entry.rank + 1] for b in c.values())

    def _ahead(self, entry: _Entry, own: int, shares: TenantShares) -> int:
        higher = sum(b.ready for c in self._classes[: entry.rank] for b in c.values())
        weight = shares.weight(entry.tenant_id)
        others = sum(
            min(bucket.ready, ceil((own + 1) * shares.weight(tenant) / weight))
            for tenant, bucket in self._classes[entry.rank].items()
            if tenant != entry.tenant_id
        )
        return higher + own + others

    def state(self) -> dict[str, Any]:
        """Everything the queue decides on, as JSON-able lists: the heaps as they lie (removed
        entries not dropped yet included, since `position` counts them) and the counters."""
        return {
            "classes": [
                [
                    [
                        tenant,
                        [
                            [seq, order, str(e.job_id), e.since, e.ticket, self._is_live(e)]
                            for seq, order, e in bucket.heap
                        ],
                        bucket.issued,
                        bucket.served,
                        bucket.ready,
                    ]
                    for tenant, bucket in buckets.items()
                ]
                for buckets in self._classes
            ],
            "backing_off": [
                [since, order, str(e.job_id), e.rank, e.seq, e.tenant_id, self._is_live(e)]
                for since, order, e in self._backing_off
            ],
            "last_served": dict(self._last_served),
            "head_seq": self._head_seq,
            "pushes": self._pushes,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> DispatchQueue:
        """The queue `state()` described, deciding exactly as it did."""
        queue = cls()
        for rank, buckets in enumerate(state["classes"]):
            for tenant, heap, issued, served, ready in buckets:
                bucket = queue._classes[rank][tenant] = _Bucket()
                bucket.issued, bucket.served, bucket.ready = issued, served, ready
                for seq, order, job_id, since, ticket, live in heap:
                    entry = queue._restored(UUID(job_id), rank, seq, since, tenant, live)
                    entry.ready, entry.ticket = True, ticket
                    bucket.heap.append((seq, order, entry))
        for since, order, job_id, rank, seq, tenant, live in state["backing_off"]:
            entry = queue._restored(UUID(job_id), rank, seq, since, tenant, live)
            queue._backing_off.append((since, order, entry))
        queue._last_served = dict(state["last_served"])
        queue._head_seq, queue._pushes = state["head_seq"], state["pushes"]
        return queue

    def _is_live(self, entry: _Entry) -> bool:
        return self._live.get(entry.job_id) is entry

    def _restored(
        self, job_id: UUID, rank: int, seq: int, since: float, tenant_id: str, live: bool
    ) -> _Entry:
        entry = _Entry(job_id, rank, seq, since, tenant_id)
        if live:
            self._live[job_id] = entry
        return entry

    def _replace(
        self, job_id: UUID, priority: Priority, seq: int, since: datetime, tenant_id: str
    ) -> _Entry:
        self.remove(job_id)
        entry = _Entry(job_id, PRIORITY_RANK[priority], seq, since.timestamp(), tenant_id)
        self._live[job_id] = entry
        return entry

    def _bucket(self, entry: _Entry) -> _Bucket:
        buckets = self._classes[entry.rank]
        bucket = buckets.get(entry.tenant_id)
        if bucket is None:
            bucket = buckets[entry.tenant_id] = _Bucket()
        return bucket

    def _make_ready(self, entry: _Entry, ticket: int | None) -> None:
        """Put the entry in its heap with `ticket` (None: the next one, at the back)."""
        bucket = self._bucket(entry)
        if ticket is None:
            ticket = bucket.issued
            bucket.issued += 1
        entry.ready, entry.ticket = True, ticket
        bucket.ready += 1
        heappush(bucket.heap, (entry.seq, self._next_push(), entry))

    def _next_push(self) -> int:
        self._pushes += 1
        return self._pushes

    def _choose(self, now: float, shares: TenantShares) -> _Entry | None:
        """The eligible job that goes next at `now` (see the module docstring)."""
        self._promote(now)
        best: list[_Entry] = []
        best_key = (_CLASSES, 0.0, 0, 0)
        for rank in range(_CLASSES):
            heads = [
                entry
                for tenant in list(self._classes[rank])
                if (entry := self._head(rank, tenant)) is not None and shares.admits(tenant)
            ]
            for entry in heads:
                key = dispatch_key(rank, entry.since, entry.seq, now)
                if key < best_key:
                    best, best_key = heads, key
        if len(best) < 2:
            return best[0] if best else None
        starving = [
            e
            for e in best
            if now - max(e.since, self._last_served.get(e.tenant_id, e.since)) >= PATIENCE
            and shares.running(e.tenant_id) == 0
        ]
        if starving:
            return min(starving, key=lambda e: (e.since, e.seq))
        return _fairest(best, shares)

    def _head(self, rank: int, tenant_id: str) -> _Entry | None:
        """The first live entry of a tenant's heap in a class, dropping removed ones on the
        way (and the bucket once it is empty)."""
        bucket = self._classes[rank][tenant_id]
        heap = bucket.heap
        while heap:
            entry = heap[0][2]
            if self._live.get(entry.job_id) is entry:
                return entry
            heappop(heap)
            bucket.served += 1
        self._drop_if_empty(rank, tenant_id)
        return None

    def _drop_if_empty(self, rank: int, tenant_id: str) -> None:
        """Forget an empty bucket: no ticket of it is held by a live entry any more."""
        if not self._classes[rank][tenant_id].heap:
            del self._classes[rank][tenant_id]

    def _promote(self, now: float) -> None:
        """Move jobs whose back-off is over into their heap."""
        backing_off = self._backing_off
        while backing_off and backing_off[0][0] <= now:
            entry = heappop(backing_off)[2]
            if self._live.get(entry.job_id) is entry:
                self._make_ready(entry, None)


def _fairest(heads: list[_Entry], shares: TenantShares) -> _Entry:
    """The head of the tenant furthest below its weighted share of the running slots (the
    largest R * w / W - r, R counting the slot given now); equal deficits go by seq."""
    running = {e.tenant_id: shares.running(e.tenant_id) for e in heads}
    weights = {e.tenant_id: shares.weight(e.tenant_id) for e in heads}
    slots, total = sum(running.values()) + 1, sum(weights.values())

    def order(entry: _Entry) -> tuple[float, int]:
        tenant = entry.tenant_id
        return (running[tenant] - slots * weights[tenant] / total, entry.seq)

    return min(heads, key=order)


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
        self,
        cluster_profile: str,
        free_slots: Iterable[tuple[str, int]],
        at: datetime,
        shares: TenantShares = EVEN,
    ) -> Iterator[Allocation]:
        """Pair free (cluster_id, slot)s with the profile's next jobs, in dispatch order.

        Each slot gets at most one job (repeated slots are skipped) and each job at most one
        slot (it leaves the queue as it is yielded); stops when the queue has no eligible job.
        Lazy: the caller counts each yielded job as running before the next decision, so
        `shares` sees the round's earlier allocations."""
        queue = self.queue(cluster_profile)
        taken: set[tuple[str, int]] = set()
        for cluster_id, slot in free_slots:
            if (cluster_id, slot) in taken:
                continue
            job_id = queue.next(at, shares)
            if job_id is None:
                return
            taken.add((cluster_id, slot))
            yield Allocation(job_id, cluster_id, slot)
