"""Reading the SAM and CloudFormation templates, and running the deploy tools from their venvs."""

from __future__ import annotations

import copy
import functools
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from tests.support import DUMMY_AWS_ENV

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / "template.yaml"
SERVICES = ("job_service", "cluster_service", "monitor_service")
SAM_VENV = ROOT / ".venv-sam"
CHECKOV_VENV = ROOT / ".venv-checkov"
REGION = "us-east-1"


def service_template(service: str) -> Path:
    return ROOT / "services" / service / "template.yaml"


ALL_TEMPLATES = (
    SHARED,
    *(service_template(s) for s in SERVICES),
    ROOT / "events" / "schemas" / "registry.template.json",
    ROOT / "services" / "cluster_service" / "templates" / "emr-cluster.yaml",
)


class _CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !GetAtt, !Sub) read as plain mappings."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _intrinsic)


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.load(path.read_text(), Loader=_CloudFormationLoader)
    return loaded


@functools.cache
def _cached(service: str) -> dict[str, Any]:
    return load(service_template(service))


def template(service: str) -> dict[str, Any]:
    """A service's template, parsed (a fresh copy: tests may change it)."""
    return copy.deepcopy(_cached(service))


def of_type(doc: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in doc["Resources"].items() if r["Type"] == resource_type}


def statements(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(role or policy logical id, statement) for every identity policy statement."""
    for logical_id, resource in doc["Resources"].items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::ManagedPolicy":
            documents = [properties["PolicyDocument"]]
        elif resource["Type"] == "AWS::IAM::Role":
            documents = [p["PolicyDocument"] for p in properties.get("Policies", [])]
        else:
            continue
        for document in documents:
            for statement in document["Statement"]:
                yield logical_id, statement


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def tool_env() -> dict[str, str]:
    """Dummy credentials and region (nothing reaches AWS) and no SAM telemetry."""
    return {**os.environ, **DUMMY_AWS_ENV, "SAM_CLI_TELEMETRY": "0"}


@functools.cache
def ensure_tools() -> None:
    """Create .venv-sam and .venv-checkov if missing (`make deploy-tools`; instant if there)."""
    subprocess.run(["make", "--no-print-directory", "-s", "deploy-tools"], cwd=ROOT, check=True)


def run_tool(venv: Path, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    ensure_tools()
    command = [str(venv / "bin" / args[0]), *args[1:]]
    return subprocess.run(command, cwd=cwd, env=tool_env(), capture_output=True, text=True)
