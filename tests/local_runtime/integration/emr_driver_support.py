"""Helpers of the LocalAwsDriver tests: a stack template, clients, virtual time, shape checks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from events.schemas.aws import (
    AWS_REGISTRY,
    AwsDetail,
    EventBridgeEnvelope,
    parse_aws_detail,
)
from local_runtime.emr_driver import LocalAwsDriver
from local_runtime.emulator import Emulator, client

from .support import unique

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "events" / "aws"
SAMPLE_FILES = {
    "EMR Cluster State Change": "emr-cluster-state-change-starting.json",
    "EMR Step Status Change": "emr-step-status-change-failed.json",
    "CloudFormation Stack Status Change": "cfn-stack-status-change-create-complete.json",
}
STEP = 0.25
"""Virtual tick; every default timing is a multiple of it, so times add up exactly."""

TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {
        "StepConcurrencyLevel": {"Type": "Number", "Default": 1},
        "IdleTimeoutSeconds": {"Type": "Number", "Default": 3600},
    },
    "Resources": {
        "Cluster": {
            "Type": "AWS::EMR::Cluster",
            "Properties": {
                "Name": {"Fn::Sub": "emrcp-${AWS::StackName}"},
                "ReleaseLabel": "emr-7.1.0",
                "JobFlowRole": "EMR_EC2_DefaultRole",
                "ServiceRole": "EMR_DefaultRole",
                "StepConcurrencyLevel": {"Ref": "StepConcurrencyLevel"},
                "AutoTerminationPolicy": {"IdleTimeout": {"Ref": "IdleTimeoutSeconds"}},
                "Instances": {
                    "MasterInstanceGroup": {"InstanceCount": 1, "InstanceType": "m5.xlarge"},
                    "CoreInstanceGroup": {"InstanceCount": 2, "InstanceType": "m5.xlarge"},
                },
                "Tags": [{"Key": "emr-control-plane:pool", "Value": "test"}],
            },
        }
    },
    "Outputs": {"EmrClusterId": {"Value": {"Ref": "Cluster"}}},
}


@dataclass
class Aws:
    """Clients of the emulator's CloudFormation, EMR, EventBridge and SQS."""

    cfn: Any
    emr: Any
    events: Any
    sqs: Any

    @classmethod
    def of(cls, emulator: Emulator) -> Aws:
        url = emulator.endpoint_url
        names = ("cloudformation", "emr", "events", "sqs")
        return cls(*(client(name, url) for name in names))

    def create_stack(self, concurrency: int = 1, idle_timeout: int = 3600) -> tuple[str, str]:
        """A stack of TEMPLATE: (stack id, EMR cluster id)."""
        name = unique("emr-driver")
        parameters = {"StepConcurrencyLevel": concurrency, "IdleTimeoutSeconds": idle_timeout}
        stack_id = self.cfn.create_stack(
            StackName=name,
            TemplateBody=json.dumps(TEMPLATE),
            Parameters=[
                {"ParameterKey": k, "ParameterValue": str(v)} for k, v in parameters.items()
            ],
        )["StackId"]
        outputs = self.cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["Outputs"]
        return stack_id, outputs[0]["OutputValue"]

    def add_steps(
        self, cluster_id: str, *args: list[str], on_failure: str = "CONTINUE"
    ) -> list[str]:
        """One command-runner step per args list; their ids."""
        steps = [
            {
                "Name": f"step-{i}",
                "ActionOnFailure": on_failure,
                "HadoopJarStep": {"Jar": "command-runner.jar", "Args": list(step_args)},
            }
            for i, step_args in enumerate(args)
        ]
        return list(self.emr.add_job_flow_steps(JobFlowId=cluster_id, Steps=steps)["StepIds"])

    def stack_status(self, stack_id: str) -> str:
        return str(self.cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"])

    def cluster_status(self, cluster_id: str) -> dict[str, Any]:
        return dict(self.emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Status"])

    def cluster_state(self, cluster_id: str) -> str:
        return str(self.cluster_status(cluster_id)["State"])

    def step_status(self, cluster_id: str, step_id: str) -> dict[str, Any]:
        return dict(self.emr.describe_step(ClusterId=cluster_id, StepId=step_id)["Step"]["Status"])


def run(driver: LocalAwsDriver, start: float, end: float) -> list[tuple[float, dict[str, Any]]]:
    """Tick from `start` to `end` every STEP seconds of virtual time: (tick time, envelope)."""
    ticks = round((end - start) / STEP)
    return [(start + i * STEP, e) for i in range(ticks + 1) for e in driver.tick(start + i * STEP)]


def key(envelope: dict[str, Any]) -> tuple[str, str, str]:
    """(resource kind, id, state) of an envelope: ('stack', arn, status), ('step', s-.., state)."""
    detail = envelope["detail"]
    if "stack-id" in detail:
        return "stack", detail["stack-id"], detail["status-details"]["status"]
    if "stepId" in detail:
        return "step", detail["stepId"], detail["state"]
    return "cluster", detail["clusterId"], detail["state"]


def of(ids: set[str], timeline: list[tuple[float, dict[str, Any]]]) -> list[tuple[Any, ...]]:
    """(time, kind, id, state) of the events about `ids`, in order."""
    return [(t, *key(e)) for t, e in timeline if key(e)[1] in ids]


def states(ids: set[str], timeline: list[tuple[float, dict[str, Any]]]) -> list[tuple[str, str]]:
    """(id, state) of the events about `ids`, in order."""
    return [(rid, state) for _, _, rid, state in of(ids, timeline)]


def sample(detail_type: str) -> dict[str, Any]:
    """AWS's sample event of a detail type, from tests/events/aws."""
    return dict(json.loads((SAMPLES_DIR / SAMPLE_FILES[detail_type]).read_text()))


def check_shape(envelope: dict[str, Any]) -> AwsDetail:
    """Assert an envelope has exactly the shape of AWS's sample, and parses with our models."""
    reference = sample(envelope["detail-type"])
    assert set(envelope) == set(reference)
    assert (envelope["version"], envelope["source"]) == ("0", reference["source"])
    detail, expected = envelope["detail"], reference["detail"]
    assert set(detail) == set(expected)
    for name, value in expected.items():
        assert type(detail[name]) is type(value), name
        if isinstance(value, dict):
            assert set(detail[name]) == set(value)
    if envelope["source"] == "aws.emr":
        assert envelope["resources"] == []
    else:
        assert envelope["resources"] == [detail["stack-id"]]
    if "stateChangeReason" in detail:
        assert "code" in json.loads(detail["stateChangeReason"])
    parsed = parse_aws_detail(EventBridgeEnvelope.model_validate(envelope))
    assert isinstance(parsed, AWS_REGISTRY[(envelope["source"], envelope["detail-type"])])
    return parsed


def detail_of(
    timeline: list[tuple[float, dict[str, Any]]], resource_id: str, state: str
) -> dict[str, Any]:
    """The detail of the event that moved `resource_id` to `state`."""
    found = [e["detail"] for _, e in timeline if key(e)[1:] == (resource_id, state)]
    assert len(found) == 1, found
    return dict(found[0])
