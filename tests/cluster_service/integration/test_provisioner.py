"""The Provisioner contract, against CloudFormationProvisioner on moto and against the fake.

moto takes the template whole (the unrolled Applications conditions, AutoTerminationPolicy,
tags, the EmrClusterId output), though its EMR cluster keeps only the name and tags (no
applications). The template has no MasterPublicDNS output: moto 5.2.5 cannot resolve that
attribute, and nothing reads it. moto's CloudFormation creates and deletes at once, so a stack is
CREATE_COMPLETE as soon as CreateStack returns.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cluster_service.adapters import (
    CLUSTER_ID_TAG,
    POOL_TAG,
    CloudFormationProvisioner,
    FakeProvisioner,
    Provisioner,
)
from cluster_service.bootstrap import TEMPLATE_PATH
from cluster_service.domain.cluster import stack_name_for
from cluster_service.domain.profiles import SEED_PROFILES, ClusterProfile
from local_runtime.emulator import Emulator, client


def template_for_moto() -> str:
    return Path(TEMPLATE_PATH).read_text()


@pytest.fixture(scope="module")
def cfn(emulator: Emulator) -> Any:
    return client("cloudformation", emulator.endpoint_url)


@pytest.fixture(params=["cloudformation", "fake"])
def provisioner(request: pytest.FixtureRequest) -> Iterator[Provisioner]:
    if request.param == "fake":
        yield FakeProvisioner()
    else:
        yield CloudFormationProvisioner(request.getfixturevalue("cfn"))


@pytest.fixture
def profile() -> ClusterProfile:
    """A profile of its own, so that tag filters see only this test's stacks."""
    name = f"t{uuid.uuid4().hex[:10]}"
    return dataclasses.replace(SEED_PROFILES["large"], name=name)


def create(provisioner: Provisioner, profile: ClusterProfile, cluster_id: uuid.UUID) -> str:
    name = stack_name_for(profile.name, cluster_id)
    provisioner.create_stack(
        name,
        template_for_moto(),
        profile.stack_parameters(cluster_id),
        f"emrcp-create-{cluster_id}",
        {POOL_TAG: profile.name, CLUSTER_ID_TAG: str(cluster_id)},
    )
    return name


def mine(provisioner: Provisioner, profile: ClusterProfile) -> list[str]:
    return [s.name for s in provisioner.stacks_tagged(POOL_TAG) if s.tags[POOL_TAG] == profile.name]


def test_a_created_stack_is_described_with_its_tags(
    provisioner: Provisioner, profile: ClusterProfile
) -> None:
    cluster_id = uuid.uuid4()
    name = create(provisioner, profile, cluster_id)
    stack = provisioner.describe_stack(name)
    assert stack is not None
    assert stack.status in ("CREATE_IN_PROGRESS", "CREATE_COMPLETE")
    assert stack.tags == {POOL_TAG: profile.name, CLUSTER_ID_TAG: str(cluster_id)}
    assert mine(provisioner, profile) == [name]


def test_a_retried_create_with_the_same_token_makes_one_stack(
    provisioner: Provisioner, profile: ClusterProfile
) -> None:
    cluster_id = uuid.uuid4()
    name = create(provisioner, profile, cluster_id)
    first = provisioner.describe_stack(name)
    assert create(provisioner, profile, cluster_id) == name
    again = provisioner.describe_stack(name)
    assert first is not None and again is not None and first.stack_id == again.stack_id
    assert mine(provisioner, profile) == [name]


def test_the_stack_names_its_emr_cluster(provisioner: Provisioner, profile: ClusterProfile) -> None:
    name = create(provisioner, profile, uuid.uuid4())
    emr_id = provisioner.emr_cluster_id(name)
    assert emr_id is not None and re.fullmatch(r"j-[0-9A-Z]+", emr_id)


def test_a_deleted_stack_goes_and_deleting_it_again_is_fine(
    provisioner: Provisioner, profile: ClusterProfile
) -> None:
    name = create(provisioner, profile, uuid.uuid4())
    provisioner.delete_stack(name, "emrcp-delete-x-0")
    provisioner.delete_stack(name, "emrcp-delete-x-0")
    stack = provisioner.describe_stack(name)
    assert stack is None or stack.status == "DELETE_IN_PROGRESS"
    provisioner.delete_stack("emrcp-nothing-000000000000", "emrcp-delete-y-0")


def test_a_stack_that_never_was_is_none(provisioner: Provisioner) -> None:
    assert provisioner.describe_stack("emrcp-nothing-000000000000") is None
    assert provisioner.emr_cluster_id("emrcp-nothing-000000000000") is None


def test_moto_builds_the_profiles_emr_cluster_from_the_template(
    emulator: Emulator, cfn: Any, profile: ClusterProfile
) -> None:
    provisioner = CloudFormationProvisioner(cfn)
    cluster_id = uuid.uuid4()
    emr_id = provisioner.emr_cluster_id(create(provisioner, profile, cluster_id))
    assert emr_id is not None
    cluster = client("emr", emulator.endpoint_url).describe_cluster(ClusterId=emr_id)["Cluster"]
    assert cluster["Name"] == f"emrcp-{profile.name}-{cluster_id}"
    tags = {t["Key"]: t["Value"] for t in cluster["Tags"]}
    assert tags[CLUSTER_ID_TAG] == str(cluster_id)
