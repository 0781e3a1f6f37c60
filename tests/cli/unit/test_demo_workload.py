"""The demo's workload plan and the parameters that set each step's run time."""

from __future__ import annotations

from collections import Counter
from datetime import date
from itertools import pairwise

import pytest

from cli.demo.workload import (
    DURATION_PARAMETER,
    PRIORITIES,
    PROFILES,
    STEP_SECONDS,
    duration_placeholder,
    plan_steady,
    plan_workload,
    step_parameters,
)
from local_runtime.emr_driver.settings import step_request

TODAY = date(2026, 11, 24)


def test_the_same_seed_plans_the_same_workload() -> None:
    assert plan_workload(seed=3) == plan_workload(seed=3)
    assert plan_workload(seed=3) != plan_workload(seed=4)


@pytest.mark.parametrize(("jobs", "bursts"), [(60, 4), (20, 2), (7, 7), (1, 1)])
def test_every_job_is_planned_once_in_the_bursts_asked_for(jobs: int, bursts: int) -> None:
    plan = plan_workload(jobs, bursts, seed=11)
    planned = [job for burst in plan for job in burst.jobs]
    assert len(plan) == bursts
    assert all(burst.jobs for burst in plan)
    assert [job.index for job in planned] == list(range(jobs))
    assert len({job.name for job in planned}) == jobs


def test_bursts_arrive_in_order_about_a_gap_apart() -> None:
    plan = plan_workload(60, 4, seed=1, gap_seconds=10)
    times = [burst.at_seconds for burst in plan]
    assert times[0] == 0
    assert times == sorted(times)
    assert all(7.5 <= later - earlier <= 15 for earlier, later in pairwise(times))


def test_the_mix_spans_every_profile_and_priority_class_in_proportion() -> None:
    planned = [job for burst in plan_workload(60, 4, seed=5) for job in burst.jobs]
    priorities = Counter(job.priority for job in planned)
    assert priorities == {"critical": 9, "high": 12, "normal": 27, "low": 12}
    assert Counter(job.profile for job in planned) == {
        "training": 15,
        "scoring": 24,
        "predicting": 21,
    }


def test_even_a_small_workload_has_every_priority_class() -> None:
    planned = [job for burst in plan_workload(20, 2, seed=9) for job in burst.jobs]
    assert {job.priority for job in planned} == set(PRIORITIES)
    assert {job.profile for job in planned} == set(PROFILES)


def test_step_times_follow_the_profile_and_the_scale() -> None:
    planned = [job for burst in plan_workload(60, 4, seed=2) for job in burst.jobs]
    for job in planned:
        low, high = STEP_SECONDS[job.profile]
        assert low <= job.seconds <= high
    halved = [
        job for burst in plan_workload(60, 4, seed=2, duration_scale=0.5) for job in burst.jobs
    ]
    assert sum(j.seconds for j in halved) == pytest.approx(
        sum(j.seconds for j in planned) / 2, 0.05
    )


@pytest.mark.parametrize("bursts", [0, 61])
def test_bursts_must_fit_the_jobs(bursts: int) -> None:
    with pytest.raises(ValueError, match="bursts"):
        plan_workload(60, bursts)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["s3://m/train.py", "--sleep-seconds={run}"], "run"),
        (["s3://m/train.py", "--sleep-seconds", "{run}"], "run"),
        (["bash", "-c", "sleep {t} && echo {date}"], "t"),
        (["sleep", "{t}"], "t"),
        (["s3://m/train.py", "--epochs", "{epochs}", "--sleep-seconds={run}"], "run"),
        (["s3://m/train.py", f"--wait={{{DURATION_PARAMETER}}}"], DURATION_PARAMETER),
        (["s3://m/train.py", "--date", "{date}"], None),
    ],
)
def test_the_duration_is_the_placeholder_the_driver_reads(
    args: list[str], expected: str | None
) -> None:
    assert duration_placeholder(args) == expected


@pytest.mark.parametrize(
    "args",
    [
        ["s3://m/score.py", "--date", "{date}", "--sleep-seconds={seconds}"],
        ["s3://m/score.py", "--sleep-seconds", "{seconds}", "--model", "{model}"],
        ["bash", "-c", "sleep {seconds}"],
    ],
)
@pytest.mark.parametrize("seconds", [3.0, 4.5])
def test_the_local_driver_reads_back_the_run_time_asked_for(
    args: list[str], seconds: float
) -> None:
    parameters = step_parameters(args, seconds, TODAY)
    rendered = [arg.format(**parameters) for arg in args]
    assert step_request(rendered).seconds == seconds


def test_other_placeholders_get_harmless_values() -> None:
    args = [
        "s3://m/p.py",
        "--date",
        "{date}",
        "--model",
        "{model}",
        "--x",
        "{x}",
        "--sleep-seconds={s}",
    ]
    assert step_parameters(args, 2.0, TODAY) == {
        "date": "2026-11-24",
        "model": "demo-model",
        "x": "demo",
        "s": 2,
    }


def test_doubled_braces_are_not_placeholders() -> None:
    assert step_parameters(["{{literal}}", "--sleep-seconds={s}"], 1.5, TODAY) == {"s": 1.5}


def test_priorities_a_profile_does_not_allow_are_swapped_away_keeping_the_mix() -> None:
    allowed = {"training": {"high", "normal", "low"}}
    free = [job for burst in plan_workload(60, 4, seed=5) for job in burst.jobs]
    fitted = [job for burst in plan_workload(60, 4, seed=5, allowed=allowed) for job in burst.jobs]
    assert any(j.profile == "training" and j.priority == "critical" for j in free)
    assert not any(j.profile == "training" and j.priority == "critical" for j in fitted)
    assert Counter(j.priority for j in fitted) == Counter(j.priority for j in free)
    assert Counter(j.profile for j in fitted) == Counter(j.profile for j in free)


def test_a_priority_no_swap_can_place_becomes_the_nearest_allowed() -> None:
    planned = plan_workload(8, 1, seed=1, profiles=["training"], allowed={"training": {"low"}})
    assert {job.priority for job in planned[0].jobs} == {"low"}


def test_the_workload_fits_the_job_profiles_make_run_seeds() -> None:
    # local_runtime/seed.py's profiles, as the job service stores them
    from local_runtime.seed import job_profiles

    seeded = job_profiles()
    assert set(PROFILES) <= set(seeded)
    allowed = {name: set(terms.allowed_priorities) for name, terms in seeded.items()}
    for job in (j for burst in plan_workload(60, 4, seed=7, allowed=allowed) for j in burst.jobs):
        template = seeded[job.profile].step_template
        # the parameters are exactly the template's, and the driver reads the planned run time
        args = template.render(step_parameters(template.args, job.seconds, TODAY))
        assert step_request(args).seconds == job.seconds
        assert job.priority in allowed[job.profile]


def test_a_steady_stream_spreads_one_tenants_jobs_evenly_with_their_own_indices() -> None:
    stream = plan_steady(4, seed=3, span_seconds=20.0, tenant="acme", first_index=10)

    assert [burst.at_seconds for burst in stream] == [0.0, 5.0, 10.0, 15.0]
    assert all(burst.steady and len(burst.jobs) == 1 for burst in stream)
    jobs = [burst.jobs[0] for burst in stream]
    assert [job.index for job in jobs] == [10, 11, 12, 13]
    assert {job.tenant for job in jobs} == {"acme"}
    assert all(job.name.startswith("demo-acme-") for job in jobs)
