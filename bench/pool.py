"""How many pool decisions per second the policy makes for a large pool (for `make bench`)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from uuid import UUID

from cluster_service.domain.lifecycle import ClusterState, ClusterView
from cluster_service.domain.policy import decide

S = ClusterState
T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
_MIX = (S.READY, S.BUSY, S.BUSY, S.BUSY, S.PROVISIONING, S.STARTING, S.DECOMMISSIONING, S.FAILED)


class _Limits:
    def __init__(self, clusters: int) -> None:
        self.minimum = clusters // 4
        self.maximum = clusters
        self.idle_ttl_seconds = 600


def pool_views(clusters: int) -> list[ClusterView]:
    """A pool of every kind of cluster; a quarter of the READY ones idle past the TTL."""
    views = []
    for n in range(clusters):
        state = _MIX[n % len(_MIX)]
        busy = (n % 4) + 1 if state is S.BUSY else 0
        idle = T0 - timedelta(seconds=(n * 7) % 2400) if state is S.READY else None
        views.append(ClusterView(UUID(int=n + 1), state, 4, busy, idle, n % 16 == 7))
    return views


def pool_benchmark(clusters: int = 1000, seconds: float = 1.0) -> float:
    """Pool decisions (`decide` calls) per second over a pool of `clusters` clusters."""
    views = pool_views(clusters)
    limits = _Limits(clusters)
    calls, started = 0, time.perf_counter()
    deadline = started + seconds
    while True:
        for queued in (0, clusters // 10, clusters * 2):  # drain, steady, burst
            decide(limits, views, queued, T0, slots_per_cluster=4)
        calls += 3
        if time.perf_counter() >= deadline:
            return calls / (time.perf_counter() - started)


if __name__ == "__main__":
    print(f"pool decisions per second, 1,000 clusters: {pool_benchmark():,.0f}")
