"""SsmThresholds on moto's SSM, against the same contract as FakeThresholds."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from cluster_service.adapters import FakeProvisioner, FakeThresholds, SsmThresholds
from cluster_service.application.ports import ThresholdSource
from cluster_service.bootstrap import build_application
from local_runtime.emulator import Emulator, client

Write = Callable[[str, str, str], None]
"""(profile, key, value): write one threshold."""


@pytest.fixture(scope="module")
def ssm(emulator: Emulator) -> Any:
    return client("ssm", emulator.endpoint_url)


@pytest.fixture(params=["ssm", "fake"])
def source(request: pytest.FixtureRequest) -> tuple[ThresholdSource, Write]:
    if request.param == "fake":
        fake = FakeThresholds()
        return fake, lambda profile, key, value: fake.set(profile, **{key: value})
    ssm = request.getfixturevalue("ssm")
    prefix = f"emrcp-test-{uuid.uuid4().hex[:8]}/pools"

    def put(profile: str, key: str, value: str) -> None:
        name = f"/{prefix}/{profile}/{key}"
        ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=True)

    return SsmThresholds(ssm, prefix), put


def test_each_profiles_thresholds_are_read_by_key(source: tuple[ThresholdSource, Write]) -> None:
    thresholds, write = source
    assert thresholds.read() == {}
    write("small", "minimum", "2")
    write("small", "idle-ttl-seconds", "120")
    write("large", "maximum", "9")
    readings = thresholds.read()
    assert readings["small"].values == {"minimum": "2", "idle-ttl-seconds": "120"}
    assert readings["large"].values == {"maximum": "9"}


def test_a_rewrite_makes_a_new_version_even_with_the_same_value(
    source: tuple[ThresholdSource, Write],
) -> None:
    thresholds, write = source
    write("small", "maximum", "4")
    first = thresholds.read()["small"].version
    assert thresholds.read()["small"].version == first
    write("small", "maximum", "4")
    assert thresholds.read()["small"].version != first


def test_every_page_is_read(source: tuple[ThresholdSource, Write]) -> None:
    thresholds, write = source
    profiles = [f"p{n}" for n in range(5)]
    for profile in profiles:
        for key in ("minimum", "maximum", "idle-ttl-seconds"):
            write(profile, key, "1")
    assert sorted(thresholds.read()) == profiles


def test_parameters_beside_the_thresholds_are_ignored(ssm: Any) -> None:
    prefix = f"emrcp-test-{uuid.uuid4().hex[:8]}"
    names = (f"/{prefix}/small/colour", f"/{prefix}/small/minimum", f"/{prefix}x/small/maximum")
    for name in names:
        ssm.put_parameter(Name=name, Value="1", Type="String")
    assert SsmThresholds(ssm, f"/{prefix}/").read()["small"].values == {"minimum": "1"}


def test_a_pool_takes_its_thresholds_from_ssm(ssm: Any) -> None:
    prefix = f"emrcp-test-{uuid.uuid4().hex[:8]}"
    ssm.put_parameter(Name=f"/{prefix}/small/maximum", Value="7", Type="String")
    ssm.put_parameter(Name=f"/{prefix}/medium/maximum", Value="lots", Type="String")
    cloud = FakeProvisioner()
    app = build_application(
        {"PERSISTENCE_MODULE": "backbone.eventstore.memory"},
        provisioner=cloud,
        inspector=cloud.inspector,
        template="{}",
        thresholds=SsmThresholds(ssm, prefix),
    )
    at = datetime(2026, 1, 5, tzinfo=UTC)
    app.seed(at)
    assert app.sync_thresholds(at) == ["small"]
    small, medium = app.get_pool("small"), app.get_pool("medium")
    assert (small.maximum, small.changed_by) == (7, "ssm")
    assert (medium.maximum, medium.changed_by) == (4, "api")
