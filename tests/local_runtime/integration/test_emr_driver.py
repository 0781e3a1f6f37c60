"""LocalAwsDriver: stacks, clusters and steps move through AWS's states on virtual time."""

from __future__ import annotations

import pytest

from local_runtime.emr_driver import DriverTimings, LocalAwsDriver
from local_runtime.emulator import Emulator

from .emr_driver_support import Aws, check_shape, detail_of, of, run, states

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def aws(emulator: Emulator) -> Aws:
    return Aws.of(emulator)


@pytest.fixture
def driver(emulator: Emulator, aws: Aws) -> LocalAwsDriver:
    return LocalAwsDriver(emulator.endpoint_url, events_client=aws.events)


def test_a_stack_and_its_cluster_go_through_aws_sequence(aws: Aws, driver: LocalAwsDriver) -> None:
    stack_id, cluster_id = aws.create_stack()
    timeline = run(driver, 0, 8)
    assert of({stack_id, cluster_id}, timeline) == [
        (0, "stack", stack_id, "CREATE_IN_PROGRESS"),
        (1, "cluster", cluster_id, "STARTING"),
        (3, "cluster", cluster_id, "BOOTSTRAPPING"),
        (5, "cluster", cluster_id, "WAITING"),
        (5, "stack", stack_id, "CREATE_COMPLETE"),
    ]
    for _, envelope in timeline:
        check_shape(envelope)
    waiting = detail_of(timeline, cluster_id, "WAITING")
    assert waiting["stateChangeReason"] == '{"code":""}'
    assert waiting["name"].startswith("emrcp-") and waiting["severity"] == "INFO"


def test_describe_calls_agree_with_the_emitted_states(aws: Aws, driver: LocalAwsDriver) -> None:
    stack_id, cluster_id = aws.create_stack()
    seen = []
    for t in (0, 1, 3, 5):
        driver.tick(t)
        seen.append((aws.stack_status(stack_id), aws.cluster_state(cluster_id)))
    assert seen == [
        ("CREATE_IN_PROGRESS", "STARTING"),
        ("CREATE_IN_PROGRESS", "STARTING"),
        ("CREATE_IN_PROGRESS", "BOOTSTRAPPING"),
        ("CREATE_COMPLETE", "WAITING"),
    ]
    events = aws.cfn.describe_stack_events(StackName=stack_id)["StackEvents"]
    stack_events = [e["ResourceStatus"] for e in events if e["PhysicalResourceId"] == stack_id]
    assert stack_events == ["CREATE_COMPLETE", "CREATE_IN_PROGRESS"]


def test_a_stack_cluster_gets_what_moto_drops(aws: Aws, driver: LocalAwsDriver) -> None:
    stack_id, cluster_id = aws.create_stack(concurrency=3)
    run(driver, 0, 5)
    cluster = aws.emr.describe_cluster(ClusterId=cluster_id)["Cluster"]
    tags = {tag["Key"]: tag["Value"] for tag in cluster["Tags"]}
    assert tags["aws:cloudformation:stack-id"] == stack_id
    assert tags["aws:cloudformation:logical-id"] == "Cluster"
    assert tags["emr-control-plane:pool"] == "test"
    assert cluster["StepConcurrencyLevel"] == 3
    assert cluster["AutoTerminate"] is False
    assert cluster["Status"]["Timeline"]["ReadyDateTime"] is not None


def test_deleting_a_stack_terminates_its_cluster_first(aws: Aws, driver: LocalAwsDriver) -> None:
    stack_id, cluster_id = aws.create_stack()
    run(driver, 0, 5)
    aws.cfn.delete_stack(StackName=stack_id)
    stack_name = stack_id.split("/")[1]
    driver.tick(6)
    assert aws.stack_status(stack_name) == "DELETE_IN_PROGRESS"
    assert aws.cluster_state(cluster_id) == "TERMINATING"
    timeline = run(driver, 6.25, 9)
    assert of({stack_id, cluster_id}, timeline) == [
        (7, "cluster", cluster_id, "TERMINATED"),
        (7, "stack", stack_id, "DELETE_COMPLETE"),
    ]
    terminated = check_shape(timeline[0][1])
    assert terminated.reason_code == "USER_REQUEST"  # type: ignore[attr-defined]
    assert aws.stack_status(stack_id) == "DELETE_COMPLETE"
    assert aws.cluster_status(cluster_id)["StateChangeReason"]["Code"] == "USER_REQUEST"
    with pytest.raises(aws.cfn.exceptions.ClientError):
        aws.cfn.describe_stacks(StackName=stack_name)


def test_steps_run_with_the_cluster_slots_and_their_durations(
    aws: Aws, driver: LocalAwsDriver
) -> None:
    _, cluster_id = aws.create_stack(concurrency=2)
    run(driver, 0, 5)
    first, second, third = aws.add_steps(
        cluster_id, ["bash", "-c", "sleep 2"], ["spark-submit", "--sleep-seconds=4"], ["true"]
    )
    timeline = run(driver, 6, 14)
    assert of({cluster_id, first, second, third}, timeline) == [
        (6, "step", first, "PENDING"),
        (6, "step", second, "PENDING"),
        (6, "step", third, "PENDING"),
        (6.5, "step", first, "RUNNING"),
        (6.5, "step", second, "RUNNING"),
        (6.5, "cluster", cluster_id, "RUNNING"),
        (8.5, "step", first, "COMPLETED"),
        (8.5, "step", third, "RUNNING"),
        (10.5, "step", second, "COMPLETED"),
        (11.5, "step", third, "COMPLETED"),
        (11.5, "cluster", cluster_id, "WAITING"),
    ]
    for _, envelope in timeline:
        check_shape(envelope)
    assert "took 0 minutes" in detail_of(timeline, first, "COMPLETED")["message"]


def test_step_states_agree_with_describe_step(aws: Aws, driver: LocalAwsDriver) -> None:
    _, cluster_id = aws.create_stack()
    run(driver, 0, 5)
    first, second = aws.add_steps(cluster_id, ["sleep", "1"], ["sleep", "1"])
    assert aws.step_status(cluster_id, first)["State"] == "PENDING"
    assert aws.cluster_state(cluster_id) == "WAITING"
    driver.tick(6)
    driver.tick(6.5)
    assert [aws.step_status(cluster_id, s)["State"] for s in (first, second)] == [
        "RUNNING",
        "PENDING",
    ]
    assert aws.cluster_state(cluster_id) == "RUNNING"
    driver.tick(7.5)
    driver.tick(8.5)
    done = aws.step_status(cluster_id, second)
    assert done["State"] == "COMPLETED" and done["Timeline"]["EndDateTime"] is not None
    assert aws.cluster_state(cluster_id) == "WAITING"


def test_a_step_without_a_duration_takes_the_default_run_time(emulator: Emulator, aws: Aws) -> None:
    timings = DriverTimings(step_run=7)
    driver = LocalAwsDriver(emulator.endpoint_url, timings=timings, events_client=aws.events)
    _, cluster_id = aws.create_stack()
    run(driver, 0, 5)
    (step,) = aws.add_steps(cluster_id, ["spark-submit", "job.py"])
    timeline = run(driver, 6, 16)
    assert [(t, state) for t, _, _, state in of({step}, timeline)] == [
        (6, "PENDING"),
        (6.5, "RUNNING"),
        (13.5, "COMPLETED"),
    ]


def test_one_late_tick_applies_every_transition_in_order(aws: Aws, driver: LocalAwsDriver) -> None:
    stack_id, cluster_id = aws.create_stack()
    driver.tick(0)
    assert states({stack_id, cluster_id}, [(1000.0, e) for e in driver.tick(1000)]) == [
        (cluster_id, "STARTING"),
        (cluster_id, "BOOTSTRAPPING"),
        (cluster_id, "WAITING"),
        (stack_id, "CREATE_COMPLETE"),
    ]
    (step,) = aws.add_steps(cluster_id, ["sleep", "1"])
    timeline = [(t, e) for t in (1000.0, 2000.0) for e in driver.tick(t)]
    assert states({cluster_id, step}, timeline) == [
        (step, "PENDING"),
        (step, "RUNNING"),
        (cluster_id, "RUNNING"),
        (step, "COMPLETED"),
        (cluster_id, "WAITING"),
    ]


def test_a_run_job_flow_cluster_starts_and_ends_when_its_steps_are_done(
    aws: Aws, driver: LocalAwsDriver
) -> None:
    cluster_id = aws.emr.run_job_flow(
        Name="transient",
        ReleaseLabel="emr-7.1.0",
        Instances={"MasterInstanceType": "m5.xlarge", "InstanceCount": 1},
        Steps=[
            {
                "Name": "only",
                "ActionOnFailure": "CONTINUE",
                "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["sleep", "2"]},
            }
        ],
        JobFlowRole="EMR_EC2_DefaultRole",
        ServiceRole="EMR_DefaultRole",
    )["JobFlowId"]
    timeline = run(driver, 0, 10)
    step = aws.emr.list_steps(ClusterId=cluster_id)["Steps"][0]["Id"]
    assert states({cluster_id, step}, timeline) == [
        (cluster_id, "STARTING"),
        (step, "PENDING"),
        (cluster_id, "BOOTSTRAPPING"),
        (step, "RUNNING"),
        (cluster_id, "RUNNING"),
        (step, "COMPLETED"),
        (cluster_id, "TERMINATING"),
        (cluster_id, "TERMINATED"),
    ]
    assert aws.cluster_status(cluster_id)["StateChangeReason"]["Code"] == "ALL_STEPS_COMPLETED"


def test_terminate_job_flows_terminates_by_user_request(aws: Aws, driver: LocalAwsDriver) -> None:
    _, cluster_id = aws.create_stack()
    run(driver, 0, 5)
    aws.emr.terminate_job_flows(JobFlowIds=[cluster_id])
    assert aws.cluster_state(cluster_id) == "TERMINATING"
    timeline = run(driver, 6, 8)
    assert states({cluster_id}, timeline) == [
        (cluster_id, "TERMINATING"),
        (cluster_id, "TERMINATED"),
    ]
    assert aws.cluster_state(cluster_id) == "TERMINATED"


def test_an_idle_cluster_ends_after_its_auto_termination_timeout(
    aws: Aws, driver: LocalAwsDriver
) -> None:
    _, cluster_id = aws.create_stack(idle_timeout=60)
    timeline = run(driver, 0, 70)
    assert of({cluster_id}, timeline)[-3:] == [
        (5, "cluster", cluster_id, "WAITING"),
        (65, "cluster", cluster_id, "TERMINATING"),
        (66, "cluster", cluster_id, "TERMINATED"),
    ]


def test_what_existed_before_the_driver_is_left_alone(emulator: Emulator, aws: Aws) -> None:
    stack_id, cluster_id = aws.create_stack()
    driver = LocalAwsDriver(emulator.endpoint_url, events_client=aws.events)
    assert of({stack_id, cluster_id}, run(driver, 0, 6)) == []
    assert aws.stack_status(stack_id) == "CREATE_COMPLETE"
