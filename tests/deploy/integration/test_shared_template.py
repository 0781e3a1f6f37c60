"""The shared template.yaml: valid CloudFormation, and what moto can build of it builds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cfnlint.api import ManualArgs, lint

from events.schemas.generate import registry_template
from events.schemas.registry import EVENT_TYPES
from local_runtime.emulator import Emulator, client
from tests.deploy.emulated import create_shared_stack
from tests.deploy.templates import ROOT, SHARED, load
from tests.support import unique_name

TEMPLATE = SHARED
REGISTRY = ROOT / "events" / "schemas" / "registry.template.json"
EXPORTS = {"BusName", "BusArn", "TenantUserPoolArn"}


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


def test_it_exports_what_the_service_stacks_import() -> None:
    outputs = load(TEMPLATE)["Outputs"]
    exported = {name for name, output in outputs.items() if "Export" in output}
    assert exported == EXPORTS
    for name in exported:
        assert outputs[name]["Export"]["Name"] == {"Fn::Sub": f"${{AWS::StackName}}-{name}"}


def test_the_shared_stack_builds_in_the_emulator(emulator: Emulator) -> None:
    bus_name = unique_name("bus")
    outputs = create_shared_stack(emulator.endpoint_url, unique_name("shared"), bus_name)
    assert outputs["BusName"] == bus_name
    events = client("events", emulator.endpoint_url)
    assert events.describe_event_bus(Name=bus_name)["Name"] == bus_name
