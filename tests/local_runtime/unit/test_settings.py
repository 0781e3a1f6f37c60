"""LocalSettings: defaults and environment overrides."""

from __future__ import annotations

import pytest

from local_runtime.settings import LocalSettings, RunnerSettings, SettingsError


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


def test_runner_defaults_from_an_empty_environment() -> None:
    runner = RunnerSettings.from_env({})
    assert runner.ports == {"job": 8001, "cluster": 8002, "monitor": 8003}
    assert runner.services == ("job", "cluster", "monitor")
    assert [runner.tick_seconds(name) for name in runner.services] == [2, 5, 5]
    assert (runner.pool_minimum, runner.pool_maximum, runner.idle_ttl_seconds) == (1, 3, 30)
    assert (runner.demo_tenant, runner.demo_api_key) == ("demo", "local-demo-key")
    assert runner.url("monitor") == "http://127.0.0.1:8003"


def test_runner_environment_overrides() -> None:
    runner = RunnerSettings.from_env(
        {
            "JOB_SERVICE_PORT": "9001",
            "SERVICES": "cluster, job",
            "TICK_INTERVAL_SECONDS": "3",
            "CLUSTER_TICK_SECONDS": "7",
            "POLL_INTERVAL_SECONDS": "0.25",
            "POOL_MINIMUM": "0",
            "POOL_MAXIMUM": "5",
            "POOL_IDLE_TTL_SECONDS": "12",
            "DEMO_API_KEY": "another-key",
        }
    )
    assert runner.job_port == 9001
    assert runner.services == ("job", "cluster")
    assert [runner.tick_seconds(name) for name in ("job", "cluster", "monitor")] == [3, 7, 3]
    assert runner.poll_seconds == 0.25
    assert (runner.pool_minimum, runner.pool_maximum, runner.idle_ttl_seconds) == (0, 5, 12)
    assert runner.demo_api_key == "another-key"


def test_realistic_timings_give_a_realistic_idle_ttl() -> None:
    assert RunnerSettings.from_env({"LOCAL_AWS_TIMINGS": "realistic"}).idle_ttl_seconds == 900
    explicit = {"LOCAL_AWS_TIMINGS": "realistic", "POOL_IDLE_TTL_SECONDS": "60"}
    assert RunnerSettings.from_env(explicit).idle_ttl_seconds == 60


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("JOB_SERVICE_PORT", "0"),
        ("MONITOR_SERVICE_PORT", "http"),
        ("JOB_TICK_SECONDS", "0"),
        ("TICK_INTERVAL_SECONDS", "1.5"),
        ("POLL_INTERVAL_SECONDS", "soon"),
        ("POOL_MAXIMUM", "0"),
        ("SERVICES", "job,scheduler"),
    ],
)
def test_a_bad_runner_setting_is_named(name: str, raw: str) -> None:
    with pytest.raises(SettingsError, match=name):
        RunnerSettings.from_env({name: raw})


def test_a_minimum_above_the_maximum_names_both() -> None:
    with pytest.raises(SettingsError, match="POOL_MINIMUM=4 is above POOL_MAXIMUM=3"):
        RunnerSettings.from_env({"POOL_MINIMUM": "4"})
