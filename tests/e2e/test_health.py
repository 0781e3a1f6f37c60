"""Health through real processes: every service beats on its Tick and the monitor sees it."""

from __future__ import annotations

from typing import Any

import pytest

from .platform import OPERATOR_KEY, Platform, call, wait_for

pytestmark = pytest.mark.emulator

SERVICES = ("cluster-service", "job-service", "monitor-service")


def test_the_monitor_sees_every_service_healthy_from_its_heartbeats(platform: Platform) -> None:
    def all_healthy() -> dict[str, Any] | None:
        health: dict[str, Any] = call("GET", platform.url("monitor") + "/health", OPERATOR_KEY)
        services = {s["service"]: s for s in health["services"]}
        if all(services.get(name, {}).get("state") == "healthy" for name in SERVICES):
            return services
        return None

    # Given the platform running, when the monitor has heard from everyone
    services = wait_for("every service healthy", all_healthy, 60, every=1.0)
    # Then each service has a heartbeat from one live instance of its own
    for name in SERVICES:
        assert services[name]["last_heartbeat_at"] is not None
        assert len(services[name]["instances"]) >= 1
