"""Creating what moto's CloudFormation supports of the templates in the emulator."""

from __future__ import annotations

import json
import re
from typing import Any

from local_runtime.emulator import client
from tests.deploy.templates import SHARED, load

# What moto's CloudFormation cannot create: a nested stack from a local path, Cognito, and
# API Gateway's account settings.
NOT_IN_MOTO = {
    "AWS::CloudFormation::Stack",
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
    "AWS::ApiGateway::Account",
}


def create_shared_stack(endpoint_url: str, stack: str, bus_name: str) -> dict[str, str]:
    """The shared stack without what moto cannot build; its outputs."""
    template = load(SHARED)
    keep(template, lambda resource: resource["Type"] not in NOT_IN_MOTO)
    return create_stack(endpoint_url, stack, template, {"BusName": bus_name})


def keep(template: dict[str, Any], wanted: Any) -> None:
    """Keep the resources `wanted(resource)` accepts, and the outputs that name none other."""
    dropped = {k for k, r in template["Resources"].items() if not wanted(r)}
    resources = template["Resources"].items()
    template["Resources"] = {k: r for k, r in resources if k not in dropped}
    outputs = template.get("Outputs", {}).items()
    template["Outputs"] = {k: o for k, o in outputs if not dropped & _names(o["Value"])}


def create_stack(
    endpoint_url: str, stack: str, template: dict[str, Any], parameters: dict[str, str]
) -> dict[str, str]:
    """Create the stack in moto; its outputs (CREATE_COMPLETE or the test fails)."""
    cloudformation = client("cloudformation", endpoint_url)
    cloudformation.create_stack(
        StackName=stack,
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM"],
    )
    described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    assert described["StackStatus"] == "CREATE_COMPLETE", described.get("StackStatusReason")
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def _names(value: object) -> set[str]:
    """Every logical id (or parameter) a GetAtt, Ref or Sub in `value` names."""
    if isinstance(value, dict):
        found = {value["Fn::GetAtt"][0]} if "Fn::GetAtt" in value else set()
        found |= {value["Ref"]} if "Ref" in value else set()
        sub = value.get("Fn::Sub")
        found |= set(re.findall(r"\$\{([A-Za-z0-9]+)", sub)) if isinstance(sub, str) else set()
        return found.union(*(_names(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_names(v) for v in value))
    return set()
