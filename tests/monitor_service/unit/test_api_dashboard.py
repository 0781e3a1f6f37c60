"""The dashboard's page and files: served without a key, from this package only, safely."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from importlib import resources

import pytest

from monitor_service.api.dashboard import ASSETS, CHART_JS, PAGE
from tests.monitor_service.api_support import ApiWorld

STATIC = resources.files("monitor_service.api").joinpath("static")


@pytest.fixture(scope="module")
def world() -> Iterator[ApiWorld]:
    with ApiWorld() as world:
        yield world


def test_the_page_is_html_without_a_key_behind_a_strict_content_security_policy(
    world: ApiWorld,
) -> None:
    reply = world.get("/dashboard", key=None)
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    policy = reply.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "connect-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert reply.headers["referrer-policy"] == "no-referrer"
    assert reply.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("name", sorted(ASSETS))
def test_each_file_is_served_with_its_type_and_revalidated_by_etag(
    world: ApiWorld, name: str
) -> None:
    reply = world.get(f"/dashboard/assets/{name}", key=None)
    assert reply.status == 200
    assert reply.headers["content-type"] == ASSETS[name]
    assert reply.text == STATIC.joinpath(name).read_text("utf-8")
    again = world.get(
        f"/dashboard/assets/{name}", key=None, headers={"if-none-match": reply.headers["etag"]}
    )
    assert (again.status, again.text) == (304, "")


@pytest.mark.parametrize("name", ["missing.js", "dashboard.html", "chart.umd.min.js.map", ".."])
def test_any_other_name_is_a_404(world: ApiWorld, name: str) -> None:
    reply = world.get(f"/dashboard/assets/{name}", key=None)
    assert (reply.status, reply.error["code"], reply.error["field"]) == (
        404,
        "asset_not_found",
        "name",
    )


def test_the_page_loads_only_the_packages_own_files_by_relative_urls() -> None:
    page = STATIC.joinpath(PAGE).read_text("utf-8")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("dashboard/assets/") for s in sources)
    assert {s.removeprefix("dashboard/assets/") for s in sources} <= set(ASSETS)
    script = "".join(
        STATIC.joinpath(n).read_text("utf-8") for n in ("dashboard.js", "dashboard-view.js")
    )
    assert not re.search(r"https?://", page + script)
    assert "innerHTML" not in script and "eval(" not in script


def test_chart_js_is_the_npm_release_with_its_license() -> None:
    version, sha256 = CHART_JS
    shipped = STATIC.joinpath("chart.umd.min.js").read_bytes()
    assert hashlib.sha256(shipped).hexdigest() == sha256
    assert f"Chart.js v{version}" in shipped[:200].decode()
    assert "MIT License" in STATIC.joinpath("chart.js-LICENSE.md").read_text("utf-8")
