"""LocalAwsDriver's injected failures and cancellations: AWS's events and states."""

from __future__ import annotations

import json

import pytest

from events.schemas.aws import CloudFormationStackStatusChange, EmrClusterStateChange
from local_runtime.emr_driver import LocalAwsDriver
from local_runtime.emulator import Emulator

from .emr_driver_support import Aws, check_shape, detail_of, of, run, states

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def aws(emulator: Emulator) -> Aws:
    return Aws.of(emulator)


@pytest.fixture
def driver(emulator: Emulator, aws: Aws) -> LocalAwsDriver:
    return LocalAwsDriver(emulator.endpoint_url, events_client=aws.events)


def ready_cluster(aws: Aws, driver: LocalAwsDriver, concurrency: int = 1) -> tuple[str, str]:
    """A stack whose cluster is WAITING at virtual time 5."""
    stack_id, cluster_id = aws.create_stack(concurrency=concurrency)
    run(driver, 0, 5)
    return stack_id, cluster_id


def test_a_failed_stack_create_rolls_back(aws: Aws, driver: LocalAwsDriver) -> None:
    driver.fail_next_stack_create("Instance type m5.xlarge is not available")
    stack_id, cluster_id = aws.create_stack()
    timeline = run(driver, 0, 8)
    assert of({stack_id, cluster_id}, timeline) == [
        (0, "stack", stack_id, "CREATE_IN_PROGRESS"),
        (1, "cluster", cluster_id, "STARTING"),
        (3, "cluster", cluster_id, "TERMINATING"),
        (4, "cluster", cluster_id, "TERMINATED_WITH_ERRORS"),
        (4, "stack", stack_id, "ROLLBACK_IN_PROGRESS"),
        (5, "stack", stack_id, "ROLLBACK_COMPLETE"),
    ]
    parsed = [check_shape(envelope) for _, envelope in timeline]
    failed = next(
        p for p in parsed if isinstance(p, EmrClusterStateChange) and p.state.endswith("ERRORS")
    )
    assert failed.reason_code == "VALIDATION_ERROR" and failed.severity == "CRITICAL"
    assert failed.state_change_reason["message"] == "Instance type m5.xlarge is not available"
    rollback = detail_of(timeline, stack_id, "ROLLBACK_IN_PROGRESS")["status-details"]
    assert rollback["status-reason"].startswith(
        "The following resource(s) failed to create: [Cluster]"
    )
    assert aws.stack_status(stack_id) == "ROLLBACK_COMPLETE"
    assert aws.cluster_status(cluster_id)["StateChangeReason"]["Code"] == "VALIDATION_ERROR"
    events = aws.cfn.describe_stack_events(StackName=stack_id)["StackEvents"]
    reasons = {e["ResourceStatus"]: e.get("ResourceStatusReason") for e in events}
    assert reasons["ROLLBACK_IN_PROGRESS"] == rollback["status-reason"]


def test_a_rolled_back_stack_can_be_deleted(aws: Aws, driver: LocalAwsDriver) -> None:
    driver.fail_next_stack_create()
    stack_id, cluster_id = aws.create_stack()
    run(driver, 0, 6)
    aws.cfn.delete_stack(StackName=stack_id)
    timeline = run(driver, 7, 9)
    assert states({stack_id, cluster_id}, timeline) == [
        (stack_id, "DELETE_IN_PROGRESS"),
        (stack_id, "DELETE_COMPLETE"),
    ]
    assert aws.cluster_state(cluster_id) == "TERMINATED_WITH_ERRORS"


def test_without_rollback_a_failed_create_stops_at_create_failed(
    aws: Aws, driver: LocalAwsDriver
) -> None:
    driver.fail_next_stack_create("no capacity", rollback=False)
    stack_id, _ = aws.create_stack()
    timeline = run(driver, 0, 8)
    assert [s for _, s in states({stack_id}, timeline)] == ["CREATE_IN_PROGRESS", "CREATE_FAILED"]
    parsed = check_shape(timeline[-1][1])
    assert isinstance(parsed, CloudFormationStackStatusChange)
    assert aws.stack_status(stack_id) == "CREATE_FAILED"
    stack = aws.cfn.describe_stacks(StackName=stack_id)["Stacks"][0]
    assert stack["StackStatusReason"] == parsed.status_details.status_reason


def test_a_cluster_terminated_with_errors_interrupts_and_cancels_its_steps(
    aws: Aws, driver: LocalAwsDriver
) -> None:
    stack_id, cluster_id = ready_cluster(aws, driver)
    running, pending = aws.add_steps(cluster_id, ["sleep", "10"], ["sleep", "1"])
    run(driver, 6, 7)
    driver.terminate_cluster_with_errors(cluster_id, "The master node was lost")
    timeline = run(driver, 8, 10)
    assert of({stack_id, cluster_id, running, pending}, timeline) == [
        (8, "cluster", cluster_id, "TERMINATING"),
        (8, "step", running, "INTERRUPTED"),
        (8, "step", pending, "CANCELLED"),
        (9, "cluster", cluster_id, "TERMINATED_WITH_ERRORS"),
    ]
    for _, envelope in timeline:
        check_shape(envelope)
    reason = json.loads(
        detail_of(timeline, cluster_id, "TERMINATED_WITH_ERRORS")["stateChangeReason"]
    )
    assert reason == {"code": "INTERNAL_ERROR", "message": "The master node was lost"}
    assert aws.cluster_status(cluster_id)["StateChangeReason"]["Code"] == "INTERNAL_ERROR"
    assert aws.step_status(cluster_id, running)["State"] == "INTERRUPTED"
    assert aws.step_status(cluster_id, pending)["State"] == "CANCELLED"
    assert aws.stack_status(stack_id) == "CREATE_COMPLETE"


def test_fail_step_fails_the_next_step_to_finish(aws: Aws, driver: LocalAwsDriver) -> None:
    _, cluster_id = ready_cluster(aws, driver)
    first, second = aws.add_steps(cluster_id, ["sleep", "1"], ["sleep", "1"])
    assert driver.fail_step(cluster_id, reason="OutOfMemoryError") == first
    timeline = run(driver, 6, 10)
    assert states({first, second}, timeline) == [
        (first, "PENDING"),
        (second, "PENDING"),
        (first, "RUNNING"),
        (first, "FAILED"),
        (second, "RUNNING"),
        (second, "COMPLETED"),
    ]
    failed = detail_of(timeline, first, "FAILED")
    assert (failed["severity"], failed["actionOnFailure"]) == ("ERROR", "CONTINUE")
    status = aws.step_status(cluster_id, first)
    assert status["FailureDetails"]["Reason"] == "OutOfMemoryError"
    assert aws.cluster_state(cluster_id) == "WAITING"


def test_fail_step_by_id_and_for_the_next_step_added(aws: Aws, driver: LocalAwsDriver) -> None:
    _, cluster_id = ready_cluster(aws, driver)
    assert driver.fail_step(cluster_id) is None
    first, second = aws.add_steps(cluster_id, ["sleep", "1"], ["sleep", "1"])
    assert driver.fail_step(cluster_id, second) == second
    timeline = run(driver, 6, 10)
    assert [(sid, s) for sid, s in states({first, second}, timeline) if s == "FAILED"] == [
        (first, "FAILED"),
        (second, "FAILED"),
    ]


def test_a_failed_step_that_terminates_the_cluster(aws: Aws, driver: LocalAwsDriver) -> None:
    _, cluster_id = ready_cluster(aws, driver)
    first, second = aws.add_steps(
        cluster_id, ["sleep", "1"], ["sleep", "1"], on_failure="TERMINATE_CLUSTER"
    )
    driver.fail_step(cluster_id, first)
    timeline = run(driver, 6, 10)
    assert states({cluster_id, first, second}, timeline)[-4:] == [
        (first, "FAILED"),
        (cluster_id, "TERMINATING"),
        (second, "CANCELLED"),
        (cluster_id, "TERMINATED_WITH_ERRORS"),
    ]
    assert aws.cluster_status(cluster_id)["StateChangeReason"]["Code"] == "STEP_FAILURE"


def test_a_failed_step_that_cancels_and_waits(aws: Aws, driver: LocalAwsDriver) -> None:
    _, cluster_id = ready_cluster(aws, driver)
    first, second = aws.add_steps(
        cluster_id, ["sleep", "1"], ["sleep", "1"], on_failure="CANCEL_AND_WAIT"
    )
    driver.fail_step(cluster_id, first)
    timeline = run(driver, 6, 10)
    assert states({cluster_id, first, second}, timeline)[-3:] == [
        (first, "FAILED"),
        (second, "CANCELLED"),
        (cluster_id, "WAITING"),
    ]


def test_an_exit_code_in_the_args_fails_the_step(aws: Aws, driver: LocalAwsDriver) -> None:
    _, cluster_id = ready_cluster(aws, driver)
    (step,) = aws.add_steps(cluster_id, ["bash", "-c", "sleep 1; exit 3"])
    timeline = run(driver, 6, 8)
    assert [s for _, s in states({step}, timeline)] == ["PENDING", "RUNNING", "FAILED"]
    assert "code 3" in aws.step_status(cluster_id, step)["FailureDetails"]["Message"]


def test_cancel_step_cancels_pending_and_running_steps(aws: Aws, driver: LocalAwsDriver) -> None:
    _, cluster_id = ready_cluster(aws, driver)
    running, pending, last = aws.add_steps(
        cluster_id, ["sleep", "9"], ["sleep", "9"], ["sleep", "1"]
    )
    run(driver, 6, 6.5)
    assert driver.cancel_step(cluster_id, pending)["Status"] == "SUBMITTED"
    assert driver.cancel_step(cluster_id, running)["Status"] == "SUBMITTED"
    assert aws.step_status(cluster_id, running)["State"] == "CANCEL_PENDING"
    timeline = run(driver, 7, 9)
    assert of({running, pending, last}, timeline) == [
        (7, "step", pending, "CANCELLED"),
        (7, "step", running, "CANCELLED"),
        (7, "step", last, "RUNNING"),
        (8, "step", last, "COMPLETED"),
    ]
    cancelled = check_shape(timeline[0][1])
    assert cancelled.severity == "WARN"  # type: ignore[attr-defined]
    refused = driver.cancel_step(cluster_id, last)
    assert refused["Status"] == "FAILED" and "COMPLETED" in refused["Reason"]


def test_a_cancelled_step_does_not_complete_after_its_cancel(
    aws: Aws, driver: LocalAwsDriver
) -> None:
    _, cluster_id = ready_cluster(aws, driver)
    (step,) = aws.add_steps(cluster_id, ["sleep", "1"])
    run(driver, 6, 7)
    driver.cancel_step(cluster_id, step)
    timeline = run(driver, 8, 9)
    assert states({step, cluster_id}, timeline) == [
        (step, "CANCELLED"),
        (cluster_id, "WAITING"),
    ]


def test_unknown_clusters_are_refused(driver: LocalAwsDriver) -> None:
    with pytest.raises(LookupError):
        driver.terminate_cluster_with_errors("j-NOSUCHCLUSTER")


@pytest.mark.parametrize(
    ("failures", "ending"),
    [
        ("stack_create=1", ("stack", "ROLLBACK_COMPLETE")),
        ("step=1,seed=3", ("step", "FAILED")),
        ("cluster=1", ("cluster", "TERMINATED_WITH_ERRORS")),
    ],
)
def test_failures_from_settings(
    emulator: Emulator, aws: Aws, failures: str, ending: tuple[str, str]
) -> None:
    environ = {"LOCAL_AWS_FAILURES": failures}
    driver = LocalAwsDriver(emulator.endpoint_url, environ=environ, events_client=aws.events)
    stack_id, cluster_id = aws.create_stack()
    timeline = run(driver, 0, 5)
    ids = {stack_id, cluster_id}
    if aws.cluster_state(cluster_id) == "WAITING":
        ids |= set(aws.add_steps(cluster_id, ["sleep", "1"]))
    timeline += run(driver, 5.25, 10)
    assert ending in {(kind, state) for _, kind, _, state in of(ids, timeline)}
