"""The shared template.yaml: valid CloudFormation, and what moto can build of it builds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from cfnlint.api import ManualArgs, lint

from events.schemas.generate import registry_template
from events.schemas.registry import EVENT_TYPES
from local_runtime.emulator import Emulator, client
from tests.support import unique_name

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
REGISTRY = ROOT / "events" / "schemas" / "registry.template.json"


class _CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !GetAtt, !Sub) read as plain mappings."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node)
    else:
        value = loader.construct_mapping(node)
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _intrinsic)


def load(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=_CloudFormationLoader)


@pytest.mark.parametrize("path", [TEMPLATE, REGISTRY], ids=lambda p: p.name)
def test_cfn_lint_finds_no_errors_or_warnings(path: Path) -> None:
    # us-east-1: the Schema Registry does not exist in every region cfn-lint knows.
    matches = lint(path.read_text(), config=ManualArgs(regions=["us-east-1"]))
    assert [str(m) for m in matches if m.rule.id[0] in "EW"] == []


def test_the_registry_holds_every_integration_event_schema() -> None:
    schemas = {
        r["Properties"]["SchemaName"]: json.loads(r["Properties"]["Content"])
        for r in registry_template()["Resources"].values()
        if r["Type"] == "AWS::EventSchemas::Schema"
    }
    assert set(schemas) == {f"emr-control-plane@{m.detail_type}" for m in EVENT_TYPES}
    assert all(s["$schema"] == "http://json-schema.org/draft-04/schema#" for s in schemas.values())


def test_the_shared_stack_builds_in_the_emulator(emulator: Emulator) -> None:
    # moto cannot fetch a nested template from a local path: build everything else
    template = load(TEMPLATE)
    del template["Resources"]["SchemaRegistry"]
    del template["Outputs"]["SchemaRegistryArn"]
    cloudformation = client("cloudformation", emulator.endpoint_url)
    bus_name = unique_name("bus")
    stack = unique_name("shared")
    cloudformation.create_stack(
        StackName=stack,
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": "BusName", "ParameterValue": bus_name}],
    )
    described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    assert described["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    assert outputs["BusName"] == bus_name
    events = client("events", emulator.endpoint_url)
    assert events.describe_event_bus(Name=bus_name)["Name"] == bus_name
