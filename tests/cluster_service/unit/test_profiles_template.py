"""Cluster profiles and the one stack template they fill in."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import yaml

from cluster_service.domain.errors import InvalidClusterProfile
from cluster_service.domain.profiles import (
    MAX_APPLICATIONS,
    SEED_PROFILES,
    TEMPLATE_FILE,
    ClusterProfile,
)

TEMPLATE = (
    Path(__file__).resolve().parents[3] / "services/cluster_service/templates" / TEMPLATE_FILE
)
CID = UUID("7b0c6a52-38f4-4b5e-9a51-0c6f1e2d3a4b")
TAGS = {"emr-control-plane:pool", "emr-control-plane:profile", "emr-control-plane:cluster-id"}


class CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form intrinsics (!Ref, !Sub, !GetAtt, !If ...)."""


def _intrinsic(loader: yaml.SafeLoader, tag: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if tag == "Ref" else f"Fn::{tag}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


CloudFormationLoader.add_multi_constructor("!", _intrinsic)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.load(TEMPLATE.read_text(), Loader=CloudFormationLoader)
    return loaded


def _passed(profile: ClusterProfile) -> dict[str, str]:
    return {p["ParameterKey"]: p["ParameterValue"] for p in profile.stack_parameters(CID)}


def test_the_template_is_cloudformation_yaml_with_one_emr_cluster(template: dict[str, Any]) -> None:
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    (resource,) = template["Resources"].values()
    assert resource["Type"] == "AWS::EMR::Cluster"
    props = resource["Properties"]
    assert props["StepConcurrencyLevel"] == {"Ref": "StepConcurrencyLevel"}
    assert props["AutoTerminationPolicy"] == {"IdleTimeout": {"Ref": "IdleTimeoutSeconds"}}
    assert {tag["Key"] for tag in props["Tags"]} == TAGS
    assert len(props["Applications"]) == MAX_APPLICATIONS


def test_the_template_says_where_it_comes_from_and_under_which_licence() -> None:
    head = TEMPLATE.read_text().split("AWSTemplateFormatVersion")[0]
    assert "awsdocs" in head and "aws-samples/emr-trino-autoscale" in head and "MIT-0" in head


@pytest.mark.parametrize("name", sorted(SEED_PROFILES))
def test_every_parameter_a_profile_passes_exists_and_every_required_one_is_passed(
    template: dict[str, Any], name: str
) -> None:
    declared = template["Parameters"]
    required = {key for key, spec in declared.items() if "Default" not in spec}
    passed = _passed(SEED_PROFILES[name])
    assert set(passed) <= set(declared)
    assert required <= set(passed)
    assert all(isinstance(value, str) for value in passed.values())


def test_a_profile_with_task_nodes_passes_them_and_one_without_does_not() -> None:
    assert _passed(SEED_PROFILES["large"])["TaskInstanceCount"] == "4"
    assert "TaskInstanceCount" not in _passed(SEED_PROFILES["small"])


def test_stack_parameters_name_the_cluster_and_its_pool() -> None:
    passed = _passed(SEED_PROFILES["medium"])
    assert passed["ClusterId"] == str(CID)
    assert passed["PoolProfile"] == "medium"
    assert passed["Applications"] == "Hadoop,Spark,Hive"
    assert passed["StepConcurrencyLevel"] == str(SEED_PROFILES["medium"].slots)


def test_the_seed_profiles_are_small_medium_and_large() -> None:
    assert set(SEED_PROFILES) == {"small", "medium", "large"}
    assert all(p.idle_timeout_seconds >= 60 for p in SEED_PROFILES.values())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "Small"}, "name"),
        ({"release_label": "7.1.0"}, "release_label"),
        ({"applications": ()}, "applications"),
        ({"applications": ("Spark",) * 2}, "applications"),
        ({"applications": ("Hadoop,Spark",)}, "applications"),
        ({"applications": tuple(f"App{n}" for n in range(9))}, "applications"),
        ({"core_instance_type": "large"}, "core_instance_type"),
        ({"core_instance_count": 0}, "core_instance_count"),
        ({"task_instance_count": 2}, "task_instance_type"),
        ({"step_concurrency": 0}, "step_concurrency"),
        ({"step_concurrency": 257}, "step_concurrency"),
        ({"idle_timeout_seconds": 59}, "idle_timeout_seconds"),
        ({"idle_timeout_seconds": 604_801}, "idle_timeout_seconds"),
    ],
)
def test_a_profile_emr_would_refuse_is_refused_naming_the_field(
    change: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidClusterProfile) as refused:
        dataclasses.replace(SEED_PROFILES["small"], **change)
    assert refused.value.field == field


def test_cfn_lint_finds_no_errors_or_warnings() -> None:
    api = pytest.importorskip(
        "cfnlint.api",
        reason="cfn-lint is not installed; requirements-dev.in pins it (make .venv/.installed)",
    )
    matches = api.lint_all(TEMPLATE.read_text())
    found = [f"{m.rule.id} line {m.linenumber}: {m.message}" for m in matches]
    assert [f for f in found if not f.startswith("I")] == []
