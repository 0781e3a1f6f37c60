"""The dashboard in headless Chromium: it loads, shows the monitor's live figures, updates itself,
asks for a key when it has none, and the test saves a screenshot (build/screenshots/).

The monitor API is served over HTTP by chalice's local server on a free port, on a monitor that
followed half an hour of a busy platform (in-memory store, virtual clock). Chromium runs on
virtual time: 12 s of it make three of the page's polls.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor_service.app import app
from tests.monitor_service import support as s
from tests.monitor_service.api_support import KEY, ApiWorld, busy_world
from tests.monitor_service.integration.browser import Chromium, Dom, served

SCREENSHOTS = Path(__file__).resolve().parents[3] / "build" / "screenshots"
BUDGET_MS = 12_000
NEW_JOBS = ("late-1", "late-2", "late-3")


class LateArrivals:
    """Delivers three jobs of a profile nobody used yet just before the page's second poll."""

    def __init__(self, world: s.World) -> None:
        self.world = world
        self.metrics_requests = 0

    def __call__(self, method: str, path: str) -> None:
        if path.startswith("/metrics"):
            self.metrics_requests += 1
            if self.metrics_requests == 2:
                for job in NEW_JOBS:
                    self.world.deliver(s.submitted(job, 1700, tenant="initech", profile="xlarge"))


@pytest.fixture(scope="module")
def monitor() -> Iterator[tuple[ApiWorld, LateArrivals, str]]:
    world, _ = busy_world(jobs=80, until=1800)
    hook = LateArrivals(world)
    with ApiWorld(world) as api, served(app, hook) as base:
        yield api, hook, base


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Chromium:
    return Chromium(tmp_path_factory.mktemp("chromium"))


@pytest.fixture(scope="module")
def before(monitor: tuple[ApiWorld, LateArrivals, str]) -> dict[str, Any]:
    """The metrics before the page loads, as the API computes them."""
    api, _, _ = monitor
    report: dict[str, Any] = api.world.app.metrics(api.world.now)
    return report


@pytest.fixture(scope="module")
def page(
    monitor: tuple[ApiWorld, LateArrivals, str], chromium: Chromium, before: dict[str, Any]
) -> Dom:
    _, _, base = monitor
    return Dom(chromium.dom(f"{base}/dashboard#key={KEY}", BUDGET_MS))


def _cells(page: Dom, table: str, **data: str) -> list[str]:
    (row,) = [r for r in page.table(table) if all(r.data.get(k) == v for k, v in data.items())]
    return [cell.strip() for cell in row.cells]


def test_the_page_polls_and_shows_what_arrived_after_it_loaded(
    page: Dom, monitor: tuple[ApiWorld, LateArrivals, str], before: dict[str, Any]
) -> None:
    _, hook, _ = monitor
    assert page.body["data-state"] == "live", page.text.get("status")
    assert int(page.body["data-refreshes"]) >= 2 and hook.metrics_requests >= 2
    queued_before = sum(row["value"] for row in before["queue_depth"])
    assert page.text["queue-total"] == str(queued_before + len(NEW_JOBS))
    assert _cells(page, "queues", profile="xlarge") == ["xlarge", "0", "0", "3", "0", "3"]


def test_the_page_shows_pools_waits_services_cost_and_the_recent_timeline(
    page: Dom, before: dict[str, Any]
) -> None:
    def value(section: str, **labels: str) -> Any:
        return sum(r["value"] for r in before[section] if labels.items() <= r.items())

    small = _cells(page, "pools", profile="small")
    assert small[1:3] == [
        str(value("pool_minimum", profile="small")),
        str(value("pool_maximum", profile="small")),
    ]
    assert small[6] == str(value("clusters", profile="small", state="busy"))
    assert _cells(page, "waits", priority="critical")[1] == "1m"
    assert _cells(page, "services", service="job-service")[1] == "healthy"
    shown_cost = float(page.text["cost-total"].removeprefix("$"))
    assert shown_cost == pytest.approx(value("cost_dollars"), abs=0.01) and shown_cost > 0
    timeline = page.table("timeline")
    assert len(timeline) >= 10 and all(row.data["job"] for row in timeline)
    assert page.text["breaches-total"] == str(value("sla_breaches"))


def test_without_a_key_the_page_asks_for_one_and_fetches_nothing(
    monitor: tuple[ApiWorld, LateArrivals, str], chromium: Chromium
) -> None:
    _, hook, base = monitor
    requests = hook.metrics_requests
    page = Dom(chromium.dom(f"{base}/dashboard", 3000))
    assert "hidden" not in page.attributes["key-form"]
    assert page.text["status"] == "enter an operator API key to connect"
    assert (page.body["data-refreshes"], page.text["queue-total"]) == ("0", "\u2013")
    assert hook.metrics_requests == requests


def test_a_wrong_key_is_refused_and_the_page_asks_again(
    monitor: tuple[ApiWorld, LateArrivals, str], chromium: Chromium
) -> None:
    _, _, base = monitor
    page = Dom(chromium.dom(f"{base}/dashboard#key=not-the-key", 3000))
    assert "hidden" not in page.attributes["key-form"]
    assert "no known API key" in page.text["status"]
    assert page.body["data-refreshes"] == "0"


def test_a_screenshot_of_the_live_page_is_saved(
    monitor: tuple[ApiWorld, LateArrivals, str], chromium: Chromium, page: Dom
) -> None:
    _, _, base = monitor
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = chromium.screenshot(
        f"{base}/dashboard#key={KEY}", SCREENSHOTS / "dashboard.png", 6000, size=(1400, 2000)
    )
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1400, 2000)
    assert len(data) > 50_000  # charts and tables, not a blank page
