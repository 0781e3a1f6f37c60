"""The StepRunner contract, run against FakeStepRunner and EmrStepRunner on moto's EMR;
and how EmrStepRunner maps EMR's errors (recorded answers, through botocore's Stubber)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from job_service.adapters import (
    ACTIVE_STATES,
    ClusterGone,
    EmrStepRunner,
    FakeStepRunner,
    StepNotFound,
    StepRejected,
    StepRunner,
    StepRunnerUnavailable,
)
from local_runtime.emulator import Emulator, client

STEP = {
    "Name": "nightly [job-1#1]",
    "ActionOnFailure": "CONTINUE",
    "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["spark-submit", "s3://b/t.py"]},
}


@dataclass
class Subject:
    runner: StepRunner
    emr_cluster_id: str


def moto_cluster(emr: Any) -> str:
    """A cluster in moto's EMR (it goes straight to WAITING)."""
    return str(
        emr.run_job_flow(
            Name="pool-small-1",
            ReleaseLabel="emr-7.0.0",
            JobFlowRole="EMR_EC2_DefaultRole",
            ServiceRole="EMR_DefaultRole",
            StepConcurrencyLevel=4,
            Instances={
                "MasterInstanceType": "m5.xlarge",
                "InstanceCount": 1,
                "KeepJobFlowAliveWhenNoSteps": True,
            },
        )["JobFlowId"]
    )


@pytest.fixture(params=["fake", "emr-on-moto"])
def subject(request: pytest.FixtureRequest) -> Iterator[Subject]:
    if request.param == "fake":
        yield Subject(FakeStepRunner(), "j-FAKE")
        return
    emulator: Emulator = request.getfixturevalue("emulator")
    emr = client("emr", emulator.endpoint_url)
    yield Subject(EmrStepRunner(emr), moto_cluster(emr))


def test_an_added_step_can_be_described_and_found_by_name(subject: Subject) -> None:
    step_id = subject.runner.add_step(subject.emr_cluster_id, STEP)

    assert step_id.startswith("s-")
    assert subject.runner.describe_step(subject.emr_cluster_id, step_id).state in ACTIVE_STATES
    assert subject.runner.find_step(subject.emr_cluster_id, STEP["Name"]) == step_id
    assert subject.runner.find_step(subject.emr_cluster_id, "another name") is None


def test_describing_an_unknown_step_is_step_not_found(subject: Subject) -> None:
    subject.runner.add_step(subject.emr_cluster_id, STEP)
    with pytest.raises(StepNotFound):
        subject.runner.describe_step(subject.emr_cluster_id, "s-NOSUCHSTEP")


@pytest.mark.emulator
def test_moto_cannot_cancel_steps_so_the_local_runtime_brings_its_own(emulator: Emulator) -> None:
    # moto answers CancelSteps with HTTP 500: the port reports it as a transient failure, and
    # bootstrap(step_runner=...) takes a local adapter that cancels through moto's backend.
    emr = boto3.client(
        "emr",
        endpoint_url=emulator.endpoint_url,
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1}),
    )
    runner = EmrStepRunner(emr)
    cluster_id = moto_cluster(emr)
    step_id = runner.add_step(cluster_id, STEP)
    with pytest.raises(StepRunnerUnavailable):
        runner.cancel_step(cluster_id, step_id)


# EMR's errors, as AWS answers them.


GONE = "A job flow that is shutting down, terminated, or finished may not be modified."


def stubbed() -> tuple[EmrStepRunner, Stubber]:
    emr = boto3.client("emr", region_name="us-east-1")
    return EmrStepRunner(emr), Stubber(emr)


@pytest.mark.parametrize(
    ("code", "message", "status", "error"),
    [
        ("ThrottlingException", "Rate exceeded", 400, StepRunnerUnavailable),
        ("InternalServerError", "try again", 500, StepRunnerUnavailable),
        ("ValidationException", GONE, 400, ClusterGone),
        ("InvalidRequestException", "Cluster id 'j-NOPE' is not valid.", 400, ClusterGone),
        ("ValidationException", "Jar is required", 400, StepRejected),
    ],
)
def test_add_step_errors_are_mapped(code: str, message: str, status: int, error: type) -> None:
    runner, stubber = stubbed()
    stubber.add_client_error(
        "add_job_flow_steps",
        service_error_code=code,
        service_message=message,
        http_status_code=status,
    )
    with stubber, pytest.raises(error):
        runner.add_step("j-ABC", STEP)


def test_describing_a_step_emr_does_not_know_is_step_not_found() -> None:
    runner, stubber = stubbed()
    stubber.add_client_error(
        "describe_step",
        service_error_code="InvalidRequestException",
        service_message="Step id 's-NOPE' is not valid.",
    )
    with stubber, pytest.raises(StepNotFound):
        runner.describe_step("j-ABC", "s-NOPE")


def test_a_failed_step_is_described_with_its_failure_message() -> None:
    runner, stubber = stubbed()
    status = {"State": "FAILED", "FailureDetails": {"Message": "exit code 1"}}
    answer = {"Step": {"Id": "s-1", "Name": "n", "Status": status}}
    stubber.add_response("describe_step", answer, {"ClusterId": "j-ABC", "StepId": "s-1"})
    with stubber:
        assert runner.describe_step("j-ABC", "s-1") == ("FAILED", "exit code 1")


def test_cancelling_a_step_that_already_ended_is_no_error() -> None:
    runner, stubber = stubbed()
    info = [{"StepId": "s-1", "Status": "FAILED", "Reason": "step already completed"}]
    stubber.add_response("cancel_steps", {"CancelStepsInfoList": info})
    with stubber:
        runner.cancel_step("j-ABC", "s-1")
