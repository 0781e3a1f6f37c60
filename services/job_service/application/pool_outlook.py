"""What the job service knows of each cluster profile's pool, to tell a waiting job why it waits.

PoolOutlooks is a part of the dispatch board, rebuilt from the log like the rest of it, from the
records of domain/pools.py (ClusterRequest: a cluster was requested, and when; PoolLimits: the
profile's MAXIMUM) and KnownCluster (ready, closed). A cluster is *starting* from its request until
it is ready or lost; a pool is at MAXIMUM when its starting and ready clusters reach the maximum.
"Ready in about N s" is the mean start-up time of the profile's last STARTUPS_KEPT clusters minus
the time the oldest starting one has been starting (events may come in any order: a request heard
after its cluster is ready or lost starts nothing).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

STARTUPS_KEPT: Final = 20


@dataclass(frozen=True)
class Outlook:
    """One profile's pool as a waiting job sees it."""

    cluster_profile: str
    starting: int
    ready: int
    maximum: int | None
    ready_in_seconds: float | None
    """Until the oldest starting cluster is expected ready (None: no estimate yet)."""

    @property
    def at_maximum(self) -> bool:
        return self.maximum is not None and self.starting + self.ready >= self.maximum


@dataclass
class _Pool:
    maximum: int | None = None
    starting: dict[str, datetime] = field(default_factory=dict)
    ready: set[str] = field(default_factory=set)
    startups: deque[float] = field(default_factory=lambda: deque(maxlen=STARTUPS_KEPT))


class PoolOutlooks:
    """The board's part that follows pools; fed by the board's appliers, in log order."""

    def __init__(self) -> None:
        self._pools: dict[str, _Pool] = {}
        self._profile_of: dict[str, str] = {}
        self._settled: set[str] = set()
        """Clusters heard ready or lost: a request heard later starts nothing."""

    def requested(self, cluster_id: str, cluster_profile: str, requested_at: datetime) -> None:
        self._profile_of[cluster_id] = cluster_profile
        if cluster_id not in self._settled:
            self._pool(cluster_profile).starting[cluster_id] = requested_at

    def became_ready(self, cluster_id: str, cluster_profile: str, at: datetime) -> None:
        """`cluster_profile` is empty for a cluster lost before it was heard ready."""
        self._settled.add(cluster_id)
        if not cluster_profile:
            return
        self._profile_of[cluster_id] = cluster_profile
        pool = self._pool(cluster_profile)
        requested_at = pool.starting.pop(cluster_id, None)
        if requested_at is not None:
            pool.startups.append(max(0.0, (at - requested_at).total_seconds()))
        pool.ready.add(cluster_id)

    def lost(self, cluster_id: str) -> None:
        self._settled.add(cluster_id)
        pool = self._pools.get(self._profile_of.get(cluster_id, ""))
        if pool is not None:
            pool.starting.pop(cluster_id, None)
            pool.ready.discard(cluster_id)

    def limits(self, cluster_profile: str, maximum: int) -> None:
        self._pool(cluster_profile).maximum = maximum

    def startup_seconds(self, cluster_profile: str) -> float | None:
        """The mean start-up time of the profile's last STARTUPS_KEPT clusters (None: none)."""
        pool = self._pools.get(cluster_profile)
        if pool is None or not pool.startups:
            return None
        return sum(pool.startups) / len(pool.startups)

    def outlook(self, cluster_profile: str, now: datetime) -> Outlook:
        pool = self._pools.get(cluster_profile) or _Pool()
        ready_in, mean = None, self.startup_seconds(cluster_profile)
        if pool.starting and mean is not None:
            waited = (now - min(pool.starting.values())).total_seconds()
            ready_in = max(0.0, mean - waited)
        return Outlook(cluster_profile, len(pool.starting), len(pool.ready), pool.maximum, ready_in)

    def state(self) -> dict[str, Any]:
        """The pools as JSON-able values (sets sorted: only their members matter)."""
        return {
            "pools": {
                profile: {
                    "maximum": pool.maximum,
                    "starting": [[c, at.isoformat()] for c, at in pool.starting.items()],
                    "ready": sorted(pool.ready),
                    "startups": list(pool.startups),
                }
                for profile, pool in self._pools.items()
            },
            "profile_of": dict(self._profile_of),
            "settled": sorted(self._settled),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> PoolOutlooks:
        outlooks = cls()
        for profile, pool in state["pools"].items():
            outlooks._pools[profile] = _Pool(
                maximum=pool["maximum"],
                starting={c: datetime.fromisoformat(at) for c, at in pool["starting"]},
                ready=set(pool["ready"]),
                startups=deque(pool["startups"], maxlen=STARTUPS_KEPT),
            )
        outlooks._profile_of = dict(state["profile_of"])
        outlooks._settled = set(state["settled"])
        return outlooks

    def _pool(self, cluster_profile: str) -> _Pool:
        return self._pools.setdefault(cluster_profile, _Pool())
