"""What a simulated cluster takes to start and what it costs, for every policy alike.

Start-up draws are a function of (seed, the n-th cluster of a profile): every policy run with
the same seed gets the same draw for its n-th cluster, so policies differ by their decisions.
The ledger bills a cluster's lifetime as EMR does (per second, one minute at least).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from simulator.scenario import StartupModel


@dataclass(frozen=True)
class Startup:
    """One cluster's drawn timings, seconds from CreateStack."""

    stack_s: float
    waiting_s: float
    terminate_s: float


class StartupDraws:
    """The n-th cluster of a profile always gets the same draw (for one seed)."""

    def __init__(self, model: StartupModel, seed: int) -> None:
        self.model = model
        self.seed = seed

    def draw(self, profile: str, n: int) -> Startup:
        rng = random.Random(f"{self.seed}/{profile}/{n}")
        m = self.model
        stack = rng.uniform(m.stack_low_s, m.stack_high_s)
        waiting = max(stack + 1.0, rng.uniform(m.to_waiting_low_s, m.to_waiting_high_s))
        return Startup(stack, waiting, rng.uniform(m.terminate_low_s, m.terminate_high_s))


@dataclass
class ClusterLedger:
    """What one policy's clusters cost and did, accumulated as they go (no per-cluster list)."""

    prices: Mapping[str, float]
    slots: Mapping[str, int]
    started: int = 0
    cluster_seconds: dict[str, float] = field(default_factory=dict)
    busy_slot_seconds: float = 0.0
    slot_seconds: float = 0.0
    cost_usd: float = 0.0
    live: dict[str, int] = field(default_factory=dict)
    """Clusters billed now, per profile."""

    def start(self, profile: str) -> None:
        self.started += 1
        self.live[profile] = self.live.get(profile, 0) + 1

    def stop(self, profile: str, seconds: float) -> None:
        self.live[profile] -= 1
        self.add(profile, seconds)

    def add(self, profile: str, seconds: float) -> None:
        """A cluster's billed lifetime (EMR: per second, one minute at least)."""
        billed = max(60.0, seconds)
        self.cluster_seconds[profile] = self.cluster_seconds.get(profile, 0.0) + billed
        self.slot_seconds += billed * self.slots[profile]
        self.cost_usd += billed / 3600 * self.prices[profile]

    @property
    def cluster_hours(self) -> float:
        return sum(self.cluster_seconds.values()) / 3600

    @property
    def utilization(self) -> float:
        return self.busy_slot_seconds / self.slot_seconds if self.slot_seconds else 0.0
