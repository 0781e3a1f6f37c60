"""AWS's own events (aws.emr, aws.cloudformation), checked against every recorded sample."""

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from events.schemas import (
    AWS_REGISTRY,
    CloudFormationResourceStatusChange,
    CloudFormationStackStatusChange,
    EmrAutoScalingPolicyStateChange,
    EmrClusterStateChange,
    EmrInstanceGroupStateChange,
    EmrStepStatusChange,
    EventBridgeEnvelope,
    UnknownEventType,
    parse_aws_detail,
    stack_name_from_arn,
)

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "events" / "aws"
"""AWS's sample events, copied into the repository (tests/events/README.md: sources, licences)."""
SAMPLES = sorted(SAMPLES_DIR.glob("*.json"))


def sample(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SAMPLES_DIR / f"{name}.json").read_text())
    return loaded


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: path.stem)
def test_every_sample_parses_into_its_model_and_keeps_every_field(path: Path) -> None:
    raw = json.loads(path.read_text())
    envelope = EventBridgeEnvelope.model_validate(raw)
    detail = parse_aws_detail(envelope)
    assert type(detail) is AWS_REGISTRY[(raw["source"], raw["detail-type"])]
    assert envelope.model_dump(mode="json", exclude_unset=True) == raw
    dumped = detail.model_dump(mode="json", exclude_unset=True)
    assert dumped.keys() == raw["detail"].keys()


def test_the_samples_cover_every_aws_model() -> None:
    seen = {(raw["source"], raw["detail-type"]) for raw in map(_load, SAMPLES)}
    assert seen == set(AWS_REGISTRY)


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def test_the_envelope_reads_version_as_text_and_time_as_aware() -> None:
    envelope = EventBridgeEnvelope.model_validate(sample("emr-cluster-state-change-waiting"))
    assert envelope.version == "0"
    assert envelope.detail_type == "EMR Cluster State Change"
    assert envelope.account == "123456789012"
    assert envelope.time.utcoffset() is not None
    assert envelope.resources == ()


def test_given_an_envelope_without_account_then_account_is_none() -> None:
    raw = sample("emr-cluster-state-change-waiting")
    del raw["account"]
    assert EventBridgeEnvelope.model_validate(raw).account is None


def test_the_waiting_cluster_sample_is_a_waiting_cluster_with_a_blank_reason() -> None:
    detail = parse_aws_detail(sample("emr-cluster-state-change-waiting"))
    assert isinstance(detail, EmrClusterStateChange)
    assert (detail.cluster_id, detail.state, detail.name) == (
        "j-123456789ABCD",
        "WAITING",
        "Development Cluster",
    )
    assert detail.state_change_reason == {"code": ""}
    assert detail.reason_code is None


def test_the_terminated_cluster_sample_has_its_reason_decoded() -> None:
    detail = parse_aws_detail(sample("emr-cluster-state-change-terminated"))
    assert isinstance(detail, EmrClusterStateChange)
    assert detail.state == "TERMINATED"
    assert detail.state_change_reason == {
        "code": "USER_REQUEST",
        "message": "Terminated by user request",
    }
    assert detail.reason_code == "USER_REQUEST"


def test_the_starting_cluster_sample_is_starting() -> None:
    detail = parse_aws_detail(sample("emr-cluster-state-change-starting"))
    assert isinstance(detail, EmrClusterStateChange)
    assert detail.state == "STARTING"


def test_the_failed_step_sample_is_a_failed_step() -> None:
    detail = parse_aws_detail(sample("emr-step-status-change-failed"))
    assert isinstance(detail, EmrStepStatusChange)
    assert (detail.cluster_id, detail.step_id, detail.state) == (
        "j-123456789ABCD",
        "s-ZYXWVUTSRQPON",
        "FAILED",
    )
    assert (detail.name, detail.action_on_failure) == ("CustomJAR", "CONTINUE")
    assert detail.message is not None and "failed at" in detail.message
    assert detail.state_change_reason == {}


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ('{"code":"NONE","message":"x"}', {"code": "NONE", "message": "x"}),
        ({"code": "NONE"}, {"code": "NONE"}),
        ("", {}),
        ("not json", {"message": "not json"}),
        ('["a list"]', {"message": '["a list"]'}),
    ],
)
def test_a_step_state_change_reason_is_decoded_into_a_dict(reason: Any, expected: Any) -> None:
    raw = sample("emr-step-status-change-failed")
    raw["detail"]["stateChangeReason"] = reason
    detail = parse_aws_detail(raw)
    assert isinstance(detail, EmrStepStatusChange)
    assert detail.state_change_reason == expected


def test_given_an_undocumented_step_state_then_the_step_event_is_rejected() -> None:
    raw = sample("emr-step-status-change-failed")
    raw["detail"]["state"] = "EXPLODED"
    with pytest.raises(ValidationError, match="state"):
        parse_aws_detail(raw)


def test_given_a_field_aws_adds_later_then_it_is_kept() -> None:
    raw = sample("emr-step-status-change-failed")
    raw["detail"]["newField"] = 1
    detail = parse_aws_detail(raw)
    assert detail.model_extra == {"newField": 1}


def test_the_instance_group_sample_turns_text_counts_into_ints() -> None:
    detail = parse_aws_detail(sample("emr-instance-group-state-change"))
    assert isinstance(detail, EmrInstanceGroupStateChange)
    assert (detail.requested_instance_count, detail.running_instance_count) == (2, 2)
    assert (detail.instance_group_type, detail.state) == ("CORE", "RUNNING")


def test_the_auto_scaling_policy_sample_is_pending() -> None:
    detail = parse_aws_detail(sample("emr-auto-scaling-policy-state-change"))
    assert isinstance(detail, EmrAutoScalingPolicyStateChange)
    assert (detail.resource_id, detail.state) == ("ig-X2LBMHTGPCBU", "PENDING")


def test_the_stack_sample_is_create_complete_with_its_stack_name() -> None:
    detail = parse_aws_detail(sample("cfn-stack-status-change-create-complete"))
    assert isinstance(detail, CloudFormationStackStatusChange)
    assert detail.status_details.status == "CREATE_COMPLETE"
    assert detail.status_details.status_reason == ""
    assert detail.client_request_token == ""
    assert detail.stack_name == "teststack"


def test_given_a_stack_event_without_client_request_token_then_it_parses() -> None:
    raw = sample("cfn-stack-status-change-create-complete")
    del raw["detail"]["client-request-token"]
    detail = parse_aws_detail(raw)
    assert isinstance(detail, CloudFormationStackStatusChange)
    assert detail.client_request_token is None


def test_given_an_unknown_stack_status_then_the_stack_event_is_rejected() -> None:
    raw = sample("cfn-stack-status-change-create-complete")
    raw["detail"]["status-details"]["status"] = "HALF_DONE"
    with pytest.raises(ValidationError):
        parse_aws_detail(raw)


def test_the_resource_sample_is_an_s3_bucket_created() -> None:
    detail = parse_aws_detail(sample("cfn-resource-status-change-create-complete"))
    assert isinstance(detail, CloudFormationResourceStatusChange)
    assert (detail.resource_type, detail.status_details.status) == (
        "AWS::S3::Bucket",
        "CREATE_COMPLETE",
    )


def test_given_an_aws_event_we_do_not_model_then_unknown_event_type() -> None:
    raw = sample("emr-cluster-state-change-waiting")
    raw["detail-type"] = "EMR Instance Fleet State Change"
    with pytest.raises(UnknownEventType, match=r"aws\.emr"):
        parse_aws_detail(raw)


@pytest.mark.parametrize(
    ("arn", "name"),
    [
        ("arn:aws:cloudformation:us-east-1:123456789012:stack/emr-c-1/0f1e2d3c-aaaa", "emr-c-1"),
        ("arn:aws:cloudformation:us-west-1:111122223333:stack/teststack", "teststack"),
        ("emr-c-1", "emr-c-1"),
    ],
)
def test_stack_name_from_arn(arn: str, name: str) -> None:
    assert stack_name_from_arn(arn) == name
