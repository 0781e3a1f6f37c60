"""Figures per policy, kept in bounded memory whatever the log's length.

Waits go into a histogram: one-second bins up to 10 minutes, then bins 1% wide (log-spaced), so
a percentile is exact to the second below 10 minutes and within 1% above; memory is a few
thousand counters per priority class and tenant, not one number per job.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

from simulator.workload import PRIORITY_CLASSES, SimJob

_LINEAR_S: Final = 600
_GROWTH: Final = 1.01
_LOG_GROWTH: Final = math.log(_GROWTH)


def _bin(seconds: float) -> int:
    if seconds < _LINEAR_S:
        return int(max(0.0, seconds))
    return _LINEAR_S + int(math.log(seconds / _LINEAR_S) / _LOG_GROWTH)


def _value(index: int) -> float:
    """Whole seconds below 10 minutes (a wait of 10.7 s counts as 10); above, a bin's upper
    edge (within 1% late, never early)."""
    if index < _LINEAR_S:
        return float(index)
    return _LINEAR_S * _GROWTH ** (index - _LINEAR_S + 1)


@dataclass
class WaitHistogram:
    counts: Counter[int] = field(default_factory=Counter)
    total: int = 0
    exact_zero: int = 0

    def add(self, seconds: float) -> None:
        self.total += 1
        if seconds <= 0:
            self.exact_zero += 1
        else:
            self.counts[_bin(seconds)] += 1

    def percentile(self, p: float) -> float:
        """The p-th percentile (0-100), 0.0 when empty."""
        if not self.total:
            return 0.0
        rank = math.ceil(p / 100 * self.total)
        if rank <= self.exact_zero:
            return 0.0
        seen = self.exact_zero
        for index in sorted(self.counts):
            seen += self.counts[index]
            if seen >= rank:
                return round(_value(index), 1)
        return round(_value(max(self.counts)), 1)

    def summary(self) -> dict[str, float]:
        return {
            "p50": self.percentile(50),
            "p95": self.percentile(95),
            "p99": self.percentile(99),
            "jobs": float(self.total),
        }

    def cdf(self) -> tuple[list[float], list[float]]:
        """(seconds, share of jobs started by then), for plotting."""
        xs, ys = [0.0], [self.exact_zero / self.total if self.total else 0.0]
        seen = self.exact_zero
        for index in sorted(self.counts):
            seen += self.counts[index]
            xs.append(_value(index))
            ys.append(seen / self.total)
        return xs, ys


@dataclass
class Waits:
    """Waits from submission to start, per priority class and per tenant."""

    by_class: dict[str, WaitHistogram] = field(default_factory=dict)
    by_tenant: dict[str, WaitHistogram] = field(default_factory=dict)

    def add(self, job: SimJob, seconds: float) -> None:
        self.by_class.setdefault(job.priority, WaitHistogram()).add(seconds)
        self.by_tenant.setdefault(job.tenant, WaitHistogram()).add(seconds)

    def p95(self, priority: str) -> float:
        found = self.by_class.get(priority)
        return found.percentile(95) if found else 0.0


@dataclass
class Timeline:
    """Clusters per profile and demand (slots wanted) per profile, sampled every `every_s`;
    downsampled by half whenever it passes `limit` points, so it stays bounded."""

    every_s: float = 3600.0
    limit: int = 4000
    times: list[float] = field(default_factory=list)
    clusters: dict[str, list[float]] = field(default_factory=dict)
    demand: dict[str, list[float]] = field(default_factory=dict)

    def sample(self, at: float, clusters: dict[str, int], demand: dict[str, float]) -> None:
        self.times.append(at)
        for name in set(self.clusters) | set(clusters):
            self.clusters.setdefault(name, [0.0] * (len(self.times) - 1)).append(
                float(clusters.get(name, 0))
            )
        for name in set(self.demand) | set(demand):
            self.demand.setdefault(name, [0.0] * (len(self.times) - 1)).append(
                float(demand.get(name, 0.0))
            )
        if len(self.times) > self.limit:
            self.times = self.times[::2]
            self.clusters = {k: v[::2] for k, v in self.clusters.items()}
            self.demand = {k: v[::2] for k, v in self.demand.items()}
            self.every_s *= 2


@dataclass
class PolicyResult:
    """One policy's figures (`as_json` is the shape `compare --json` writes, docs/simulator.md)."""

    name: str
    settings: dict[str, Any]
    cost_usd: float
    cluster_hours: float
    clusters_started: int
    utilization: float
    jobs: int
    jobs_finished: int
    waits: Waits
    sla: dict[str, float]
    timeline: Timeline | None = None
    model: str = "platform"
    """'platform' (the services' own code) or 'model' (the simulator's simpler model)."""
    elapsed_s: float = 0.0
    cpu_s: float = 0.0
    """CPU seconds of the process that ran it (on a shared machine, the figure to compare)."""
    events: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def sla_misses(self) -> dict[str, float]:
        """The classes whose p95 wait is over target: {class: p95}."""
        return {c: self.waits.p95(c) for c, t in self.sla.items() if self.waits.p95(c) > t}

    @property
    def sla_met(self) -> bool:
        return not self.sla_misses and self.jobs_finished == self.jobs

    def as_json(self) -> dict[str, Any]:
        classes = [c for c in PRIORITY_CLASSES if c in self.waits.by_class]
        return {
            "name": self.name,
            "settings": self.settings,
            "cost_usd": round(self.cost_usd, 2),
            "cluster_hours": round(self.cluster_hours, 2),
            "clusters_started": self.clusters_started,
            "utilization": round(self.utilization, 4),
            "jobs_finished": self.jobs_finished,
            "wait_s": {c: self.waits.by_class[c].summary() for c in classes},
            "wait_s_by_tenant": {t: h.summary() for t, h in sorted(self.waits.by_tenant.items())},
            "sla_misses": self.sla_misses,
            "sla_met": self.sla_met,
            "model": self.model,
            "elapsed_s": round(self.elapsed_s, 2),
            "cpu_s": round(self.cpu_s, 2),
            "events": self.events,
            "notes": self.notes,
        }
