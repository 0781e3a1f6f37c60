"""LocalAwsDriver's events reach a queue through a default-bus rule; its thread ticks alone."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from events.schemas.aws import EventBridgeEnvelope, parse_aws_detail
from local_runtime.emr_driver import LocalAwsDriver
from local_runtime.emulator import Emulator

from .emr_driver_support import Aws, key, run
from .support import unique

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def aws(emulator: Emulator) -> Aws:
    return Aws.of(emulator)


@pytest.fixture
def emr_queue(aws: Aws) -> Iterator[str]:
    """A queue that a default-bus rule {"source": ["aws.emr"]} feeds; removed afterwards."""
    queue_url = aws.sqs.create_queue(QueueName=unique("aws-emr"))["QueueUrl"]
    arn = aws.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    rule = unique("aws-emr")
    aws.events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["aws.emr"]}))
    target = {"Id": "queue", "Arn": arn["Attributes"]["QueueArn"]}
    aws.events.put_targets(Rule=rule, Targets=[target])
    yield queue_url
    aws.events.remove_targets(Rule=rule, Ids=["queue"])
    aws.events.delete_rule(Name=rule)
    aws.sqs.delete_queue(QueueUrl=queue_url)


def drain(aws: Aws, queue_url: str) -> list[dict[str, Any]]:
    """Every message body now in the queue."""
    bodies: list[dict[str, Any]] = []
    while True:
        answer = aws.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
        messages = answer.get("Messages", [])
        if not messages:
            return bodies
        bodies.extend(json.loads(message["Body"]) for message in messages)
        entries = [{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in messages]
        aws.sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)


def test_emr_events_reach_a_queue_through_a_default_bus_rule(
    emulator: Emulator, aws: Aws, emr_queue: str
) -> None:
    driver = LocalAwsDriver(emulator.endpoint_url, events_client=aws.events)
    stack_id, cluster_id = aws.create_stack()
    timeline = run(driver, 0, 5)
    (step,) = aws.add_steps(cluster_id, ["sleep", "1"])
    timeline += run(driver, 5.25, 8)
    ours = {cluster_id, step}
    emitted = [key(e) for _, e in timeline if key(e)[1] in ours]
    delivered = [body for body in drain(aws, emr_queue) if key(body)[1] in ours]
    assert [key(body) for body in delivered] == emitted
    assert len(emitted) == 8
    for body in delivered:
        envelope = EventBridgeEnvelope.model_validate(body)
        assert envelope.source == "aws.emr"
        assert parse_aws_detail(envelope).cluster_id == cluster_id  # type: ignore[attr-defined]
    assert all(key(body)[1] != stack_id for body in delivered)


def test_the_thread_ticks_on_its_own(emulator: Emulator, aws: Aws) -> None:
    later = iter(range(0, 10_000, 10))
    driver = LocalAwsDriver(
        emulator.endpoint_url, clock=lambda: float(next(later)), events_client=aws.events
    )
    stack_id, cluster_id = aws.create_stack()
    with driver:
        pause = threading.Event()
        for _ in range(500):
            if aws.cluster_state(cluster_id) == "WAITING" or pause.wait(0.01):
                break
    assert aws.cluster_state(cluster_id) == "WAITING"
    assert aws.stack_status(stack_id) == "CREATE_COMPLETE"
    driver.stop()


def test_a_started_driver_takes_in_moto_changes_as_they_happen(
    emulator: Emulator, aws: Aws
) -> None:
    driver = LocalAwsDriver(emulator.endpoint_url, clock=lambda: 0.0, events_client=aws.events)
    driver.start(interval=3600)
    try:
        stack_id, cluster_id = aws.create_stack()
        assert aws.stack_status(stack_id) == "CREATE_IN_PROGRESS"
        assert aws.cluster_state(cluster_id) == "STARTING"
        run_id = aws.emr.run_job_flow(
            Name="observed",
            ReleaseLabel="emr-7.1.0",
            Instances={"MasterInstanceType": "m5.xlarge", "KeepJobFlowAliveWhenNoSteps": True},
            JobFlowRole="EMR_EC2_DefaultRole",
            ServiceRole="EMR_DefaultRole",
        )["JobFlowId"]
        assert aws.cluster_state(run_id) == "STARTING"
        ours = {stack_id, cluster_id}
        created = [key(e)[2] for e in driver.tick(5.0) if key(e)[1] in ours]
        assert created[0] == "CREATE_IN_PROGRESS" and created[-1] == "CREATE_COMPLETE"
        aws.cfn.delete_stack(StackName=stack_id)
        assert aws.stack_status(stack_id.split("/")[1]) == "DELETE_IN_PROGRESS"
        assert aws.cluster_state(cluster_id) == "TERMINATING"
        deleting = [key(e)[2] for e in driver.tick(5.0) if key(e)[1] in ours]
        assert deleting == ["DELETE_IN_PROGRESS", "TERMINATING"]
    finally:
        driver.stop()
    later_stack, _ = aws.create_stack()
    assert aws.stack_status(later_stack) == "CREATE_COMPLETE"
