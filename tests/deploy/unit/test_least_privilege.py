"""What each service's functions may do: their own source, their own table, their own AWS calls.

The templates give every function an explicit role (no SAM policy templates, which would add
AWS-managed policies on "*"), so the statements below are everything a function may do.
"""

from __future__ import annotations

from typing import Any

import pytest

from events.schemas import REGISTRY
from events.schemas.base import SOURCE_PREFIX
from tests.deploy.templates import SERVICES, as_list, of_type, statements, template

TABLE_ARN = {"Fn::GetAtt": ["EventStore", "Arn"]}
STREAM_ARN = {"Fn::GetAtt": ["EventStore", "StreamArn"]}
BUS_ARN = {"Fn::ImportValue": {"Fn::Sub": "${SharedStackName}-BusArn"}}
DYNAMODB_READS = {
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
}
# What each service may call besides its table, its queue, its logs, X-Ray and (the relay) the bus.
OWN_AWS_CALLS = {
    "job_service": {"elasticmapreduce", "ssm"},  # ssm: the operators' authorizer reads keys
    "cluster_service": {"cloudformation", "elasticmapreduce", "iam", "ssm"},
    "monitor_service": {"ssm"},  # the authorizer reads the operators' keys
}
BASE_SERVICES = {"dynamodb", "sqs", "logs", "xray", "events"}


def source_of(service: str) -> str:
    return SOURCE_PREFIX + service.replace("_", "-")


def _allowed_sources(service: str) -> set[str]:
    allowed: set[str] = set()
    for _, statement in statements(template(service)):
        if "events:PutEvents" in as_list(statement["Action"]):
            allowed |= set(as_list(statement["Condition"]["StringEquals"]["events:source"]))
    return allowed


@pytest.mark.parametrize("service", SERVICES)
def test_only_the_relay_may_put_events_on_the_bus_under_its_services_own_source(
    service: str,
) -> None:
    doc = template(service)
    granted = [(owner, s) for owner, s in statements(doc) if "events:PutEvents" in s["Action"]]
    relay_role = service.split("_")[0].capitalize() + "RelayRole"
    assert [owner for owner, _ in granted] == [relay_role]
    ((_, statement),) = granted
    assert statement["Resource"] == BUS_ARN
    assert statement["Condition"] == {"StringEquals": {"events:source": [source_of(service)]}}


def test_every_source_an_event_is_published_under_is_allowed_by_exactly_its_services_policy() -> (
    None
):
    allowed = {service: _allowed_sources(service) for service in SERVICES}
    published = {source for model in REGISTRY.values() for source in model.sources()}
    assert published == {source_of(s) for s in SERVICES}
    for source in published:
        owners = [service for service, sources in allowed.items() if source in sources]
        assert owners == [service for service in SERVICES if source_of(service) == source]


@pytest.mark.parametrize("service", SERVICES)
def test_no_function_can_write_any_table_but_its_own_services(service: str) -> None:
    for owner, statement in statements(template(service)):
        actions = as_list(statement["Action"])
        assert not [a for a in actions if "*" in a], (owner, actions)
        dynamodb = [a for a in actions if a.startswith("dynamodb:")]
        if not dynamodb:
            continue
        resources = as_list(statement["Resource"])
        if set(dynamodb) <= DYNAMODB_READS and resources == ["*"]:
            assert dynamodb == ["dynamodb:ListStreams"], owner  # lists stream ARNs, reads none
            continue
        assert all(r in (TABLE_ARN, STREAM_ARN) for r in resources), (owner, resources)


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_calls_only_its_own_aws_apis(service: str) -> None:
    used = {
        action.split(":")[0]
        for _, statement in statements(template(service))
        for action in as_list(statement["Action"])
    }
    assert used - BASE_SERVICES == OWN_AWS_CALLS[service]


def test_cloudformation_stacks_are_limited_to_the_cluster_services_prefix_and_tags() -> None:
    stack_arn = (
        "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/emrcp-*/*"
    )
    for owner, statement in statements(template("cluster_service")):
        actions = {a for a in as_list(statement["Action"]) if a.startswith("cloudformation:")}
        if not actions:
            continue
        if statement["Resource"] == "*":
            assert actions == {"cloudformation:DescribeStacks"}, owner  # the orphan search
            continue
        assert statement["Resource"] == {"Fn::Sub": stack_arn}
        if actions & {"cloudformation:CreateStack", "cloudformation:DeleteStack"}:
            (tag_condition,) = statement["Condition"]["StringLike"]
            assert tag_condition.endswith("Tag/emr-control-plane:pool")


@pytest.mark.parametrize("service", ["job_service", "cluster_service"])
def test_emr_calls_reach_only_clusters_tagged_as_a_pools(service: str) -> None:
    cluster_arn = (
        "arn:${AWS::Partition}:elasticmapreduce:${AWS::Region}:${AWS::AccountId}:cluster/*"
    )
    found = 0
    for owner, statement in statements(template(service)):
        if not any(a.startswith("elasticmapreduce:") for a in as_list(statement["Action"])):
            continue
        found += 1
        assert statement["Resource"] == {"Fn::Sub": cluster_arn}, owner
        (tag_condition,) = statement["Condition"]["StringLike"]
        assert tag_condition in (
            "aws:RequestTag/emr-control-plane:pool",
            "aws:ResourceTag/emr-control-plane:pool",
        )
    assert found


def test_pass_role_is_granted_only_for_the_emr_roles_and_only_to_emr_and_ec2() -> None:
    passed: dict[str, Any] = {}
    for service in SERVICES:
        for _, statement in statements(template(service)):
            if "iam:PassRole" in as_list(statement["Action"]):
                assert service == "cluster_service"
                service_name = statement["Condition"]["StringEquals"]["iam:PassedToService"]
                passed[statement["Resource"]["Fn::Sub"].rsplit("/", 1)[1]] = service_name
    assert passed == {
        "${EmrServiceRoleName}": "elasticmapreduce.amazonaws.com",
        "${EmrInstanceRoleName}": "ec2.amazonaws.com",
    }


@pytest.mark.parametrize("service", SERVICES)
def test_every_function_has_its_own_explicit_role(service: str) -> None:
    functions = of_type(template(service), "AWS::Serverless::Function")
    roles = [f["Properties"]["Role"] for f in functions.values()]
    assert all("Policies" not in f["Properties"] for f in functions.values())
    assert sorted(r["Fn::GetAtt"][0] for r in roles) == sorted(
        name.removesuffix("Function") + "Role" for name in functions
    )
    assert all(r["Fn::GetAtt"][1] == "Arn" for r in roles)
