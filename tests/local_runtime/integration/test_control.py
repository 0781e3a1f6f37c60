"""The driver's control API on the emulator's port, and EMR's CancelSteps through the driver."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from local_runtime.control import DriverControl
from local_runtime.emr_driver import LocalAwsDriver
from local_runtime.emulator import Emulator

from .emr_driver_support import Aws, run

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def control() -> DriverControl:
    return DriverControl()


@pytest.fixture(scope="module")
def served(control: DriverControl) -> Iterator[Emulator]:
    """An emulator of its own with the control API in front of moto."""
    with Emulator(port=0, middleware=[control.wrap]) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def aws(served: Emulator) -> Aws:
    return Aws.of(served)


@pytest.fixture
def driver(served: Emulator, control: DriverControl, aws: Aws) -> Iterator[LocalAwsDriver]:
    driver = LocalAwsDriver(served.endpoint_url, events_client=aws.events)
    control.attach(driver)
    yield driver
    control.attach(None)


def post(emulator: Emulator, path: str, body: Any = None, method: str = "POST") -> tuple[int, Any]:
    data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(emulator.endpoint_url + path, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def running_step(aws: Aws, driver: LocalAwsDriver) -> tuple[str, str]:
    """A ready stack's cluster with one step RUNNING at virtual time 6: (cluster, step)."""
    _, cluster_id = aws.create_stack()
    run(driver, 0, 5)
    (step_id,) = aws.add_steps(cluster_id, ["bash", "-c", "sleep 30"])
    run(driver, 5, 6)
    assert aws.step_status(cluster_id, step_id)["State"] == "RUNNING"
    return cluster_id, step_id


def test_terminate_loses_the_cluster_and_interrupts_its_step(
    served: Emulator, aws: Aws, driver: LocalAwsDriver
) -> None:
    # Given a cluster running a step
    cluster_id, step_id = running_step(aws, driver)
    # When its termination with errors is asked for over HTTP
    status, answer = post(
        served,
        f"/local-aws/clusters/{cluster_id}/terminate",
        {"code": "INSTANCE_FAILURE", "reason": "lost its core nodes"},
    )
    run(driver, 6, 8)
    # Then EMR ends it with that reason, and its step is interrupted
    assert (status, answer["cluster"]) == (202, cluster_id)
    assert aws.cluster_state(cluster_id) == "TERMINATED_WITH_ERRORS"
    reason = aws.cluster_status(cluster_id)["StateChangeReason"]
    assert reason == {"Code": "INSTANCE_FAILURE", "Message": "lost its core nodes"}
    assert aws.step_status(cluster_id, step_id)["State"] == "INTERRUPTED"


def test_fail_step_fails_the_running_step(
    served: Emulator, aws: Aws, driver: LocalAwsDriver
) -> None:
    cluster_id, step_id = running_step(aws, driver)
    status, answer = post(served, f"/local-aws/clusters/{cluster_id}/fail-step", {})
    run(driver, 6, 40)
    assert (status, answer["step_id"]) == (202, step_id)
    assert aws.step_status(cluster_id, step_id)["State"] == "FAILED"


def test_fail_next_stack_rolls_the_next_stack_back(
    served: Emulator, aws: Aws, driver: LocalAwsDriver
) -> None:
    assert post(served, "/local-aws/stacks/fail-next", {"reason": "no capacity"})[0] == 202
    stack_id, _ = aws.create_stack()
    run(driver, 0, 8)
    assert aws.stack_status(stack_id) == "ROLLBACK_COMPLETE"


def test_cancel_steps_is_answered_through_the_driver(
    served: Emulator, aws: Aws, driver: LocalAwsDriver
) -> None:
    # Given a running step (moto's own CancelSteps answers HTTP 500)
    cluster_id, step_id = running_step(aws, driver)
    # When a client cancels it with boto3
    answer = aws.emr.cancel_steps(ClusterId=cluster_id, StepIds=[step_id])
    run(driver, 6, 7)
    # Then EMR's answer says it was submitted, and the step ends CANCELLED
    assert answer["CancelStepsInfoList"] == [
        {"StepId": step_id, "Status": "SUBMITTED", "Reason": ""}
    ]
    assert aws.step_status(cluster_id, step_id)["State"] == "CANCELLED"


def test_cancel_steps_on_an_unknown_cluster_is_an_invalid_request(
    aws: Aws, driver: LocalAwsDriver
) -> None:
    with pytest.raises(aws.emr.exceptions.InvalidRequestException):
        aws.emr.cancel_steps(ClusterId="j-NOSUCHCLUSTER", StepIds=["s-1"])


@pytest.mark.parametrize(
    ("path", "body", "method", "status"),
    [
        ("/local-aws/clusters/j-NOSUCHCLUSTER/terminate", None, "POST", 404),
        ("/local-aws/nothing-here", None, "POST", 404),
        ("/local-aws/stacks/fail-next", b"[1, 2]", "POST", 400),
        ("/local-aws/stacks/fail-next", b"{not json", "POST", 400),
        ("/local-aws/stacks/fail-next", None, "GET", 405),
    ],
)
def test_a_request_it_cannot_carry_out_names_why(
    served: Emulator,
    driver: LocalAwsDriver,
    path: str,
    body: bytes | None,
    method: str,
    status: int,
) -> None:
    answer = post(served, path, body, method)
    assert answer[0] == status
    assert answer[1]["error"]


def test_without_a_driver_it_answers_503(served: Emulator, control: DriverControl) -> None:
    control.attach(None)
    assert post(served, "/local-aws/stacks/fail-next")[0] == 503
