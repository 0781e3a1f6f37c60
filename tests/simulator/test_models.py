"""The simpler policies on workloads small enough to check by hand (see support.FIXED: every
cluster is WAITING 600 s after it is asked for and gone 120 s after it is let go; a step
starts 10 s after it is added; the profile costs 3.6 $/h, 0.001 $/s, for 2 slots)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.models import always_on, lower_bound, model_result, search_static
from simulator.stats import WaitHistogram
from simulator.workload import in_memory
from tests.simulator.support import jobs, scenario


def test_static_one_cluster_two_slots_the_third_job_waits_for_a_slot() -> None:
    result = model_result(
        "static",
        scenario(),
        in_memory(jobs((0, 100), (0, 100), (0, 100))),
        always_on({"p": 1}),
        always_on=True,
    )
    # two start at once (10 s step overhead); the third when a slot frees at 110, +10 s
    assert result.waits.by_class["critical"].cdf()[0][1:] == [10.0, 120.0]
    assert result.waits.p95("critical") == 120.0
    # the cluster is billed from 0 until the last job ends at 120 + 100
    assert result.cost_usd == pytest.approx(0.220)
    assert (result.clusters_started, result.jobs_finished) == (1, 3)
    assert result.utilization == pytest.approx(300 / (220 * 2))


def test_cluster_per_job_waits_the_start_up_and_pays_for_it_and_the_teardown() -> None:
    result = model_result(
        "cluster_per_job", scenario(), in_memory(jobs((0, 100), (50, 200))), {}, per_job=True
    )
    # each job: WAITING at 600, step RUNNING at 610; billed 610 + run + 120 of termination
    assert result.waits.p95("critical") == pytest.approx(610.0, rel=0.01)  # 1% bins above 600
    assert result.cost_usd == pytest.approx((610 + 100 + 120 + 610 + 200 + 120) * 0.001)
    assert result.clusters_started == 2


def test_the_lower_bound_is_each_jobs_run_time_at_its_slot_price() -> None:
    result = lower_bound(scenario(), in_memory(jobs((0, 100), (0, 100), (5, 100))))
    assert result.cost_usd == pytest.approx(300 * 0.001 / 2)
    assert result.waits.p95("critical") == 0.0


def test_a_pool_keeps_its_minimum_warm_and_stops_extra_clusters_after_the_ttl() -> None:
    # min 1 (warm from the start), max 2, TTL 600: four jobs at 0 need a second cluster
    result = model_result(
        "pool",
        scenario(minimum=1, maximum=2, ttl=600),
        in_memory(jobs(*[(0, 100)] * 4)),
        scenario(minimum=1, maximum=2, ttl=600).pools,
    )
    # two start on the warm cluster at 10 s; the other two when its slots free (110 + 10),
    # sooner than the second cluster (WAITING at 600)
    assert result.waits.by_class["critical"].cdf()[0][1:] == [10.0, 120.0]
    assert result.clusters_started == 2
    # the run ends with its last job, at 220: both clusters are billed until then (the second
    # was still starting)
    assert result.cost_usd == pytest.approx((220 + 220) * 0.001)


def test_static_finds_the_fewest_always_on_clusters_that_meet_the_sla() -> None:
    tight = scenario()
    tight = type(tight)(**{**tight.__dict__, "sla": {"critical": 60.0}})
    four_at_once = in_memory(jobs(*[(0, 100)] * 4))
    counts, notes = search_static(tight, four_at_once)
    assert counts == {"p": 2} and notes == []


@given(st.lists(st.floats(0, 599.9), min_size=1, max_size=200), st.sampled_from([50, 95, 99]))
def test_the_histogram_percentile_is_exact_to_the_second_below_ten_minutes(
    waits: list[float], p: int
) -> None:
    histogram = WaitHistogram()
    for w in waits:
        histogram.add(w)
    ordered = sorted(waits)
    import math

    expected = ordered[math.ceil(p / 100 * len(ordered)) - 1]
    assert histogram.percentile(p) == (0.0 if expected <= 0 else float(int(expected)))
