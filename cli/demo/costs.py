"""Cluster time and cost of the demo, from the monitor service's GET /metrics (JSON).

The monitor's counters run since its log began, so the demo takes the difference between a
reading before it and one after. Sections read: `cluster_seconds` (rows of profile, phase and
value in seconds) and `cost_dollars` (rows of profile and value).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

SECONDS: Final = "cluster_seconds"
COST: Final = "cost_dollars"


@dataclass(frozen=True)
class ProfileCost:
    profile: str
    cluster_minutes: float
    cost_dollars: float | None


@dataclass(frozen=True)
class CostSummary:
    profiles: list[ProfileCost]
    since_demo: bool
    """True: the difference over the demo; False: totals since the monitor began (no reading
    before the demo)."""

    @property
    def cluster_minutes(self) -> float:
        return sum(p.cluster_minutes for p in self.profiles)

    @property
    def cost_dollars(self) -> float | None:
        costs = [p.cost_dollars for p in self.profiles]
        return None if any(c is None for c in costs) else sum(c for c in costs if c is not None)


def sections(metrics: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The report holding the sections (it may be nested under "metrics"), or None."""
    if not isinstance(metrics, Mapping):
        return None
    if SECONDS in metrics or COST in metrics:
        return metrics
    inner = metrics.get("metrics")
    return inner if isinstance(inner, Mapping) and (SECONDS in inner or COST in inner) else None


def by_profile(report: Mapping[str, Any] | None, section: str) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for row in (report or {}).get(section) or ():
        if isinstance(row, Mapping) and isinstance(row.get("value"), int | float):
            totals[str(row.get("profile"))] += float(row["value"])
    return dict(totals)


def cost_summary(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> CostSummary | None:
    """Cluster-minutes and cost per profile over the demo; None if `after` has neither."""
    end, start = sections(after), sections(before)
    if end is None:
        return None
    seconds = _minus(by_profile(end, SECONDS), by_profile(start, SECONDS))
    dollars = _minus(by_profile(end, COST), by_profile(start, COST))
    has_cost = COST in end
    rows = [
        ProfileCost(
            profile,
            round(seconds.get(profile, 0.0) / 60, 2),
            round(dollars.get(profile, 0.0), 4) if has_cost else None,
        )
        for profile in sorted(seconds.keys() | dollars.keys())
    ]
    return CostSummary(rows, since_demo=start is not None)


def _minus(end: dict[str, float], start: dict[str, float]) -> dict[str, float]:
    return {profile: value - start.get(profile, 0.0) for profile, value in end.items()}
