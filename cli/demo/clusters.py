"""The demo's clusters: sampled from GET /clusters while it runs, counted per cluster profile.

GET /clusters stops listing a cluster once its stack is deleted, so the demo samples it every
few seconds and counts a cluster that disappeared as stopped.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from cli.api import ClusterApi
from cli.exits import ApiError, Unreachable

STOPPED: Final = frozenset({"DECOMMISSIONING", "TERMINATED", "FAILED"})
"""Cluster states of a cluster that is going or gone (it takes no more jobs)."""


@dataclass
class ClusterLog:
    """Every cluster seen in the samples of GET /clusters: its profile and last state."""

    before: dict[str, str]
    """Clusters that existed when the demo began, and their states then."""
    profiles: dict[str, str]
    states: dict[str, str]
    gone: set[str]
    """Clusters no longer listed (retired once their stacks were deleted)."""
    peaks: dict[str, int]
    """Most clusters of each profile seen at once, not counting stopped ones."""

    @classmethod
    def starting(cls, clusters: Sequence[Mapping[str, Any]]) -> ClusterLog:
        before = {c["cluster_id"]: c["state"] for c in clusters}
        log = cls(before, {}, {}, set(), defaultdict(int))
        log.sample(clusters)
        return log

    def sample(self, clusters: Sequence[Mapping[str, Any]]) -> None:
        listed = {c["cluster_id"] for c in clusters}
        self.gone |= set(self.states) - listed
        self.gone -= listed
        active: dict[str, int] = defaultdict(int)
        for cluster in clusters:
            self.profiles[cluster["cluster_id"]] = cluster["profile"]
            self.states[cluster["cluster_id"]] = cluster["state"]
            active[cluster["profile"]] += cluster["state"] not in STOPPED
        for profile, count in active.items():
            self.peaks[profile] = max(self.peaks.get(profile, 0), count)

    def stopped(self, cluster_id: str) -> bool:
        return cluster_id in self.gone or self.states.get(cluster_id) in STOPPED

    def active(self, profile: str) -> int:
        return sum(1 for c, p in self.profiles.items() if p == profile and not self.stopped(c))


@dataclass(frozen=True)
class ClusterStats:
    profile: str
    started: int
    """Clusters requested during the demo."""
    stopped: int
    """Clusters that stopped during the demo (decommissioning, terminated, failed or retired)."""
    peak: int
    active_now: int
    minimum: int | None
    maximum: int | None


def cluster_stats(log: ClusterLog, pools: Sequence[Mapping[str, Any]]) -> list[ClusterStats]:
    limits = {pool["profile"]: pool for pool in pools}
    stats = []
    for profile in sorted(set(log.profiles.values()) | set(limits)):
        ids = [c for c, p in log.profiles.items() if p == profile]
        started = [c for c in ids if c not in log.before]
        was_running = [c for c in ids if log.before.get(c, "REQUESTED") not in STOPPED]
        pool = limits.get(profile, {})
        stats.append(
            ClusterStats(
                profile,
                len(started),
                sum(1 for c in was_running if log.stopped(c)),
                log.peaks.get(profile, 0),
                log.active(profile),
                pool.get("minimum"),
                pool.get("maximum"),
            )
        )
    return stats


class ClusterWatch:
    """Samples the clusters at most every `every` seconds; `note` is told what went wrong."""

    def __init__(
        self, api: ClusterApi, every: float, clock: Callable[[], float], note: Callable[[str], None]
    ) -> None:
        self.api, self.every, self.clock, self.note = api, every, clock, note
        self.log: ClusterLog | None = None
        self._sampled_at: float | None = None

    def start(self) -> None:
        try:
            self.log = ClusterLog.starting(self.api.clusters())
        except (Unreachable, ApiError) as error:
            self.note(f"no cluster figures: {_first_line(error.message)}")

    def sample(self, force: bool = False) -> None:
        if self.log is None:
            return
        now = self.clock()
        if not force and self._sampled_at is not None and now - self._sampled_at < self.every:
            return
        self._sampled_at = now
        try:
            self.log.sample(self.api.clusters())
        except (Unreachable, ApiError) as error:
            self.note(f"a sample of the clusters failed: {_first_line(error.message)}")

    def stats(self) -> list[ClusterStats] | None:
        if self.log is None:
            return None
        try:
            pools = self.api.pools()
        except (Unreachable, ApiError):
            pools = []
        return cluster_stats(self.log, pools)

    def settle(
        self, seconds: float, interval: float, sleep: Callable[[float], None] = time.sleep
    ) -> bool:
        """Wait up to `seconds` for every pool to be back at its minimum; whether it was."""
        until = self.clock() + seconds
        while True:
            self.sample(force=True)
            if all(c.minimum is None or c.active_now <= c.minimum for c in self.stats() or []):
                return True
            if self.clock() >= until:
                return False
            sleep(interval)

    def longest_idle_ttl(self) -> float:
        """The longest idle TTL of the pools above their minimum (how long settling may take)."""
        try:
            pools = self.api.pools()
        except (Unreachable, ApiError):
            return 0.0
        above = {
            c.profile
            for c in self.stats() or []
            if c.minimum is not None and c.active_now > c.minimum
        }
        return max(
            (float(p["idle_ttl_seconds"]) for p in pools if p["profile"] in above), default=0.0
        )


def _first_line(text: str) -> str:
    return text.splitlines()[0]
