"""The planner: a forecast fitted on one part of a log, settings checked on the other."""

from __future__ import annotations

import random

from simulator import forecast
from simulator.plan import plan
from simulator.workload import SimJob, in_memory
from tests.simulator.support import scenario


def _busy_days(days: int, seed: int = 7) -> list[SimJob]:
    """Jobs every 10 minutes from 9 to 17 each day, none at night, 20 minutes each."""
    rng = random.Random(seed)
    jobs = []
    for day in range(days):
        for slot in range(48):
            submit = day * 86_400 + 9 * 3600 + slot * 600 + rng.uniform(0, 60)
            jobs.append(SimJob(len(jobs), submit, 1200.0, "p", "critical", "t1"))
    return jobs


def test_the_seasonal_forecast_sees_the_working_day_and_beats_a_flat_one() -> None:
    week = in_memory(_busy_days(14))
    fitted = forecast.fit(week)
    busy = [fitted.at("p", h) for h in range(168)]
    # 9:00-17:00 two jobs of 20 minutes overlap each hour: about 2 busy slots; nights empty
    assert max(busy) >= 1.5 and min(busy) == 0.0
    error = forecast.evaluate(fitted, in_memory(_busy_days(7, seed=8)))["p"]
    assert error["mae_seasonal"] < error["mae_flat"]


def test_plan_recommends_settings_and_measures_them_on_the_held_out_days() -> None:
    document = plan(scenario(minimum=0, maximum=4, ttl=600), in_memory(_busy_days(8)), trials=6)
    recommended = document["recommended"]["p"]
    assert set(recommended) == {"minimum", "maximum", "idle_ttl_seconds", "schedule"}
    assert recommended["schedule"] is None or len(recommended["schedule"]) == 168
    assert document["log"]["fitted_jobs"] + document["log"]["held_out_jobs"] == 8 * 48
    names = [entry["name"] for entry in document["evaluation"]]
    assert names == ["platform", "static", "lower_bound"]
    platform = document["evaluation"][0]
    assert platform["jobs_finished"] == document["log"]["held_out_jobs"]
    assert platform["settings"]["p"]["maximum"] == recommended["maximum"]
    assert document["meets_sla_on_held_out"] == platform["sla_met"]
