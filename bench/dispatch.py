"""Dispatch decisions per second, in process (`make bench` calls `dispatch_benchmark`)."""

import random
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID

from job_service.domain import PRIORITIES, Dispatcher

SLOTS_PER_ROUND = 8
"""Free slots offered to a profile per dispatch round (a ClusterIdle or ClusterReady)."""


def _fill(dispatcher: Dispatcher, jobs: int, profiles: int, start: datetime) -> list[str]:
    """Enqueue `jobs` jobs over `profiles` profiles: random priorities, 1 in 10 backing off."""
    rng = random.Random(7)
    names = [f"profile-{p}" for p in range(profiles)]
    for seq in range(jobs):
        enqueued_at = start + timedelta(milliseconds=seq)
        retry_at = enqueued_at + timedelta(seconds=30) if seq % 10 == 0 else None
        queue = dispatcher.queue(names[seq % profiles])
        job_id = UUID(int=rng.getrandbits(128))
        queue.enqueue(job_id, rng.choice(PRIORITIES), enqueued_at, seq, retry_at)
        if seq % 50 == 0:
            queue.remove(job_id)  # a cancellation, dropped lazily
    return names


def dispatch_benchmark(jobs: int = 100_000, profiles: int = 100) -> float:
    """Decisions per second: drain every profile's queue, SLOTS_PER_ROUND free slots at a time."""
    dispatcher = Dispatcher()
    start = datetime(2024, 1, 1, tzinfo=UTC)
    names = _fill(dispatcher, jobs, profiles, start)
    slots = [(f"cluster-{n}", n) for n in range(SLOTS_PER_ROUND)]
    queued = sum(len(dispatcher.queue(name)) for name in names)
    decisions, now = 0, start + timedelta(seconds=60)
    began = time.perf_counter()
    while decisions < queued:
        for name in names:
            for _ in dispatcher.allocations(name, slots, now):
                decisions += 1
        now += timedelta(seconds=1)
    elapsed = time.perf_counter() - began
    return decisions / elapsed


if __name__ == "__main__":
    print(f"{dispatch_benchmark():,.0f} dispatch decisions/s")
