"""Settings from the environment, the price table, and the consumer's coverage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from events.schemas import REGISTRY
from monitor_service.adapters import load_price_book
from monitor_service.bootstrap import MonitorServiceSettings, SettingsError
from monitor_service.domain import PriceTableError
from monitor_service.subscriptions import DEFINITION as MONITOR_SERVICE
from tests.monitor_service import support as s


def test_settings_from_the_environment() -> None:
    settings = MonitorServiceSettings.from_env(
        {
            "MONITOR_SERVICE_TABLE": "monitor-events",
            "TICK_INTERVAL_SECONDS": "30",
            "SLA_TARGETS": "critical=30, low=3600",
            "AWS_LAMBDA_LOG_STREAM_NAME": "2024/01/01/[$X]ab c",
        }
    )
    assert (settings.table_name, settings.tick_interval_seconds) == ("monitor-events", 30)
    assert settings.instance_id == "2024/01/01/[$X]abc"
    policy = settings.policy()
    assert policy.heartbeats.timeout_ms("job-service") == 90_000  # 3 x the tick
    assert dict(policy.sla.seconds) == {"critical": 30, "high": 300, "normal": 1800, "low": 3600}
    assert policy.prices.hourly("large") == pytest.approx(10.56)


def test_an_explicit_heartbeat_timeout_wins_over_three_ticks() -> None:
    settings = MonitorServiceSettings.from_env(
        {"DYNAMODB_TABLE": "t", "TICK_INTERVAL_SECONDS": "60", "HEARTBEAT_TIMEOUT_SECONDS": "45"}
    )
    assert settings.policy().heartbeats.timeout_ms("cluster-service") == 45_000


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"MONITOR_SERVICE_TABLE": "t", "SLA_TARGETS": "urgent=5"},
        {"MONITOR_SERVICE_TABLE": "t", "SLA_TARGETS": "high=soon"},
        {"MONITOR_SERVICE_TABLE": "t", "HEARTBEAT_TIMEOUT_SECONDS": "0"},
    ],
)
def test_unusable_settings_say_what_to_fix(environ: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        MonitorServiceSettings.from_env(environ)


def test_a_price_table_naming_an_unpriced_instance_type_is_refused(tmp_path: Path) -> None:
    table = {
        "instance_types": {},
        "profiles": {"x": {"instances": [{"type": "m9.huge", "count": 1}]}},
    }
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(table))
    with pytest.raises(PriceTableError, match=r"m9\.huge"):
        load_price_book(path)
    with pytest.raises(PriceTableError):
        load_price_book(tmp_path / "missing.json")


def test_the_consumer_handles_everything_the_monitor_subscribes_to() -> None:
    world = s.World()
    assert set(REGISTRY) <= world.service.consumer.detail_types
    aws_types = {
        detail_type
        for subscription in MONITOR_SERVICE.subscriptions
        for detail_type in subscription.event_pattern.get("detail-type", ())
    }
    assert aws_types and aws_types <= world.service.consumer.detail_types
