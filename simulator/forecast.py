"""An hour-of-week seasonal demand forecast per cluster profile.

Demand in an hour is the slot-hours the profile's jobs submitted in that hour ask for, spread
over the hours they would run if started at once (a job of 3 h submitted at 10:20 adds 40 min
to hour 10, 1 h to 11 and 12, 20 min to 13), divided by the hour: the mean busy slots.

The model: for each of the 168 hours of the week, the `quantile` (default the 75th percentile)
of that hour's demand over the weeks fitted on. It is the seasonal-naive family of forecasts
(Hyndman & Athanasopoulos, "Forecasting: Principles and Practice", 3rd ed., section 5.2),
with a quantile in place of the last value, so one odd week does not set a whole schedule. It
is judged on the weeks it did not see against the flat forecast (the fitted part's overall
mean): mean absolute error of each, in busy slots.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from simulator.workload import Workload, hour_of_week

HOURS_OF_WEEK = 168


def hourly_demand(workload: Workload) -> dict[str, dict[int, float]]:
    """Busy slots per absolute hour (from the workload's start) per profile."""
    demand: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for job in workload.jobs():
        start, end = job.submit_s, job.submit_s + job.run_s
        hour = int(start // 3600)
        while start < end:
            edge = min(end, (hour + 1) * 3600.0)
            demand[job.profile][hour] += (edge - start) / 3600
            start, hour = edge, hour + 1
    return {p: dict(h) for p, h in demand.items()}


@dataclass(frozen=True)
class SeasonalForecast:
    """Busy slots per hour of the week, per profile."""

    by_profile: dict[str, tuple[float, ...]]
    flat: dict[str, float]
    quantile: float

    def at(self, profile: str, how: int) -> float:
        return self.by_profile.get(profile, (0.0,) * HOURS_OF_WEEK)[how]

    def minimum_schedule(self, profile: str, slots: int, maximum: int) -> tuple[int, ...]:
        """Clusters to keep per hour of the week: the forecast busy slots, in whole clusters."""
        return tuple(
            min(maximum, math.ceil(self.at(profile, h) / slots - 0.25))
            for h in range(HOURS_OF_WEEK)
        )


def fit(workload: Workload, quantile: float = 0.75) -> SeasonalForecast:
    demand = hourly_demand(workload)
    hours = max(1, int(workload.summary.span_s // 3600) + 1)
    by_profile: dict[str, tuple[float, ...]] = {}
    flat: dict[str, float] = {}
    for profile in workload.profiles:
        per_hour = demand.get(profile, {})
        buckets: dict[int, list[float]] = defaultdict(list)
        for hour in range(hours):
            buckets[hour_of_week(workload.summary, hour * 3600.0)].append(per_hour.get(hour, 0.0))
        by_profile[profile] = tuple(
            _quantile(buckets.get(h, [0.0]), quantile) for h in range(HOURS_OF_WEEK)
        )
        flat[profile] = sum(per_hour.values()) / hours
    return SeasonalForecast(by_profile, flat, quantile)


def evaluate(forecast: SeasonalForecast, workload: Workload) -> dict[str, Any]:
    """Mean absolute error per profile (busy slots) of the seasonal and the flat forecast on
    `workload`'s hours; the seasonal one's median-error fit (q=0.5) is what MAE rewards, so the
    planner's quantile pays a little error for headroom."""
    demand = hourly_demand(workload)
    hours = max(1, int(workload.summary.span_s // 3600) + 1)
    out: dict[str, Any] = {}
    for profile in workload.profiles:
        per_hour = demand.get(profile, {})
        seasonal = flat = 0.0
        for hour in range(hours):
            actual = per_hour.get(hour, 0.0)
            how = hour_of_week(workload.summary, hour * 3600.0)
            seasonal += abs(forecast.at(profile, how) - actual)
            flat += abs(forecast.flat.get(profile, 0.0) - actual)
        out[profile] = {
            "mae_seasonal": round(seasonal / hours, 3),
            "mae_flat": round(flat / hours, 3),
            "mean_busy_slots": round(sum(per_hour.values()) / hours, 3),
        }
    return out


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
