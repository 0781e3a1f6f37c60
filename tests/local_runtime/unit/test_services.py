"""How the runner describes each service process, and how that process builds its service."""

from __future__ import annotations

import sys
import types
from dataclasses import replace
from typing import Any

import pytest

from local_runtime.services import SPECS, build, service_environment, spec_named
from local_runtime.settings import LocalSettings, RunnerSettings

BASE = {"PATH": "/bin", "AWS_PROFILE": "work", "AWS_SESSION_TOKEN": "real", "HOME": "/home/x"}


def test_each_service_gets_the_emulator_dummy_credentials_its_table_and_tick() -> None:
    local, runner = LocalSettings(job_table="jobs-t"), RunnerSettings(job_tick_seconds=3)
    env = service_environment(spec_named("job"), "http://127.0.0.1:5999", local, runner, BASE)
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5999"
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) == ("testing", "testing")
    assert "AWS_PROFILE" not in env and "AWS_SESSION_TOKEN" not in env
    assert env["JOB_SERVICE_TABLE"] == "jobs-t"
    assert env["TICK_INTERVAL_SECONDS"] == "3"
    assert env["TENANT_API_KEYS"] == "demo=local-demo-key"
    assert env["PATH"] == "/bin"


def test_keys_set_in_the_environment_are_kept() -> None:
    base = BASE | {"TENANT_API_KEYS": "acme=acme-key-123", "OPERATOR_API_KEYS": "ops-key-123"}
    env = service_environment(
        spec_named("cluster"), "http://e", LocalSettings(), RunnerSettings(), base
    )
    assert (env["TENANT_API_KEYS"], env["OPERATOR_API_KEYS"]) == (
        "acme=acme-key-123",
        "ops-key-123",
    )


def test_every_service_has_a_spec_with_its_own_queue() -> None:
    assert [spec.name for spec in SPECS] == ["job", "cluster", "monitor"]
    assert len({spec.definition.queue_name for spec in SPECS}) == 3
    with pytest.raises(LookupError, match="choose among"):
        spec_named("scheduler")


def test_the_app_and_the_pollers_share_one_service(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an app module whose ApiHolder builds an Api holding the service
    module = types.ModuleType("fake_service_app")

    class Holder:
        def get(self) -> Any:
            return types.SimpleNamespace(service="the one service")

    module.api, module.app = Holder(), "the chalice app"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_service_app", module)
    spec = replace(spec_named("job"), app_module="fake_service_app")
    # When a service process builds it, then the pollers get the app's own service
    hosted = build(spec)
    assert (hosted.service, hosted.app) == ("the one service", "the chalice app")
