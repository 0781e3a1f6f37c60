"""LocalAwsDriver's settings: timings, failure rates, what a step's args ask for."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from local_runtime.emr_driver import DriverTimings, FailureRates
from local_runtime.emr_driver.aws_events import cluster_detail, encoded_reason
from local_runtime.emr_driver.settings import step_request

WHEN = datetime(2016, 12, 16, 20, 42, tzinfo=UTC)


def test_default_timings_make_a_short_demo() -> None:
    timings = DriverTimings()
    ready = timings.stack_create + timings.cluster_starting + timings.cluster_bootstrapping
    assert ready == 5.0
    assert (timings.step_pending, timings.step_run) == (0.5, 3.0)


def test_realistic_timings_take_emr_like_minutes() -> None:
    timings = DriverTimings.realistic()
    assert (timings.stack_create, timings.cluster_starting) == (60.0, 300.0)
    assert timings.cluster_bootstrapping == 120.0


def test_timings_from_the_environment() -> None:
    assert DriverTimings.from_env({}) == DriverTimings()
    realistic = DriverTimings.from_env({"LOCAL_AWS_TIMINGS": "realistic,step_run=30"})
    assert realistic.cluster_starting == 300.0 and realistic.step_run == 30.0
    with pytest.raises(ValueError, match="unknown timings"):
        DriverTimings.from_env({"LOCAL_AWS_TIMINGS": "warp=1"})
    with pytest.raises(ValueError, match="negative"):
        DriverTimings.from_env({"LOCAL_AWS_TIMINGS": "step_run=-1"})


def test_failure_rates_from_the_environment() -> None:
    assert FailureRates.from_env(None) == FailureRates()
    rates = FailureRates.from_env({"LOCAL_AWS_FAILURES": "stack_create=0.1; step=0.25,seed=7"})
    assert rates == FailureRates(stack_create=0.1, step=0.25, seed=7)
    with pytest.raises(ValueError, match="unknown failure kind"):
        FailureRates.from_env({"LOCAL_AWS_FAILURES": "meteor=1"})
    with pytest.raises(ValueError, match="between 0 and 1"):
        FailureRates.from_env({"LOCAL_AWS_FAILURES": "step=2"})
    with pytest.raises(ValueError, match="key=value"):
        FailureRates.from_env({"LOCAL_AWS_FAILURES": "step"})


@pytest.mark.parametrize(
    ("args", "seconds", "exit_code"),
    [
        (["spark-submit", "--sleep-seconds=12", "job.py"], 12.0, 0),
        (["spark-submit", "--sleep-seconds", "2.5"], 2.5, 0),
        (["bash", "-c", "sleep 4 && exit 2"], 4.0, 2),
        (["python", "--exit-code=1"], None, 1),
        (["spark-submit", "job.py"], None, 0),
    ],
)
def test_a_step_asks_for_its_run_time_and_exit_code(
    args: list[str], seconds: float | None, exit_code: int
) -> None:
    request = step_request(args)
    assert (request.seconds, request.exit_code) == (seconds, exit_code)


def test_state_change_reasons_are_encoded_as_emr_does() -> None:
    assert encoded_reason("", None) == '{"code":""}'
    terminated = '{"code":"USER_REQUEST","message":"Terminated by user request"}'
    assert encoded_reason("USER_REQUEST", "Terminated by user request") == terminated
    detail = cluster_detail(
        "j-1", "dev", "TERMINATED_WITH_ERRORS", ("INTERNAL_ERROR", "lost"), WHEN
    )
    assert detail["severity"] == "CRITICAL"
    assert json.loads(detail["stateChangeReason"])["code"] == "INTERNAL_ERROR"
    assert "with a reason of INTERNAL_ERROR" in detail["message"]
