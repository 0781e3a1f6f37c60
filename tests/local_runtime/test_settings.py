"""LocalSettings: defaults and environment overrides."""

from __future__ import annotations

import pytest

from local_runtime.settings import LocalSettings, SettingsError


def test_defaults_from_an_empty_environment() -> None:
    settings = LocalSettings.from_env({})
    assert (settings.emulator_host, settings.emulator_port) == ("127.0.0.1", 5000)
    assert settings.bus_name == "emr-control-plane"
    assert settings.tables == (
        "job-service-events",
        "cluster-service-events",
        "monitor-service-events",
    )
    assert (settings.region, settings.log_dir) == ("us-east-1", ".run/logs")


def test_environment_overrides() -> None:
    env = {
        "EMULATOR_HOST": "0.0.0.0",
        "EMULATOR_PORT": "5123",
        "BUS_NAME": "bus",
        "JOB_SERVICE_TABLE": "j",
        "CLUSTER_SERVICE_TABLE": "c",
        "MONITOR_SERVICE_TABLE": "m",
        "REGION": "eu-west-1",
        "LOG_DIR": "/tmp/logs",
    }
    settings = LocalSettings.from_env(env)
    assert settings == LocalSettings(
        "0.0.0.0", 5123, "bus", "j", "c", "m", "eu-west-1", "/tmp/logs"
    )


@pytest.mark.parametrize("raw", ["abc", "-1", "70000"])
def test_a_bad_port_names_the_setting(raw: str) -> None:
    with pytest.raises(SettingsError, match="EMULATOR_PORT"):
        LocalSettings.from_env({"EMULATOR_PORT": raw})
