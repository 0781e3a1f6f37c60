"""GET /jobs: a tenant's jobs, newest first, filtered and paginated with an opaque next_token."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.job_service.api_support import OTHER_KEY, ApiWorld


@pytest.fixture
def world() -> Iterator[ApiWorld]:
    with ApiWorld() as world:
        world.create_profile()
        template = {"kind": "command", "args": ["python3", "score.py"]}
        world.create_profile(name="score", job_type="scoring", step_template=template)
        yield world


def names(reply: Any) -> list[str]:
    return [job["name"] for job in reply.body["jobs"]]


def test_a_tenant_lists_only_its_own_jobs_newest_first(world: ApiWorld) -> None:
    # Given jobs of two tenants
    for name in ("a", "b", "c"):
        world.submitted(name=name)
    world.submit(key=OTHER_KEY, name="not-mine")
    # When the first tenant lists its jobs
    reply = world.request("GET", "/jobs")
    # Then it sees its own, newest first, on one page
    assert reply.status == 200
    assert names(reply) == ["c", "b", "a"]
    assert reply.body["next_token"] is None
    first = reply.body["jobs"][0]
    assert set(first) == {
        "job_id",
        "name",
        "profile",
        "priority",
        "status",
        "submitted_at",
        "links",
    }
    assert first["links"]["self"] == f"/jobs/{first['job_id']}"


def test_pages_follow_each_other_through_next_token(world: ApiWorld) -> None:
    for name in ("a", "b", "c", "d", "e"):
        world.submitted(name=name)

    pages, token = [], None
    while True:
        query = "limit=2" + (f"&next_token={token}" if token else "")
        reply = world.request("GET", f"/jobs?{query}")
        pages.append(names(reply))
        token = reply.body["next_token"]
        if token is None:
            break

    assert pages == [["e", "d"], ["c", "b"], ["a"]]


def test_a_listing_filters_by_status_and_profile(world: ApiWorld) -> None:
    # Given a cancelled job, a queued one and a job of another profile
    cancelled = world.submitted(name="cancelled")
    world.request("DELETE", f"/jobs/{cancelled}")
    world.submitted(name="queued")
    world.submitted(name="scoring", profile="score", parameters={})
    # Then each filter finds its jobs
    assert names(world.request("GET", "/jobs?status=cancelled")) == ["cancelled"]
    assert names(world.request("GET", "/jobs?status=queued")) == ["scoring", "queued"]
    assert names(world.request("GET", "/jobs?profile=score")) == ["scoring"]
    assert names(world.request("GET", "/jobs?status=queued&profile=train-xgb")) == ["queued"]
    assert names(world.request("GET", "/jobs?status=running")) == []


def test_a_filtered_listing_pages_through_matches_only(world: ApiWorld) -> None:
    for name in ("a", "b", "c"):
        world.submitted(name=name)
        world.submitted(name=f"s{name}", profile="score", parameters={})
    first = world.request("GET", "/jobs?profile=score&limit=2")
    token = first.body["next_token"]
    second = world.request("GET", f"/jobs?profile=score&limit=2&next_token={token}")
    assert (names(first), names(second)) == (["sc", "sb"], ["sa"])


def token_of(document: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode()


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "%%%%",
        token_of([1]),
        token_of({"v": 1, "before": "5", "status": None, "profile": None}),
        token_of({"v": 2, "before": 5, "status": None, "profile": None}),
        token_of({"v": 1, "before": 0, "status": None, "profile": None}),
        token_of({"v": 1, "before": True, "status": None, "profile": None}),
        token_of({"v": 1, "before": 5, "status": None, "profile": None, "tenant": "x"}),
    ],
)
def test_a_token_that_is_not_ours_is_a_400(world: ApiWorld, token: str) -> None:
    reply = world.request("GET", f"/jobs?next_token={token}")
    assert reply.status == 400
    assert (reply.error["code"], reply.error["field"]) == ("invalid_next_token", "next_token")


def test_a_token_sent_with_other_filters_is_a_400(world: ApiWorld) -> None:
    for name in ("a", "b"):
        world.submitted(name=name)
    token = world.request("GET", "/jobs?limit=1").body["next_token"]

    reply = world.request("GET", f"/jobs?limit=1&status=queued&next_token={token}")

    assert reply.status == 400
    assert "other filters" in reply.error["message"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("status=done", "status"),
        ("sort=name", "sort"),
        ("status=queued&status=running", "status"),
    ],
)
def test_a_bad_query_parameter_is_a_400_naming_it(world: ApiWorld, query: str, field: str) -> None:
    reply = world.request("GET", f"/jobs?{query}")
    assert (reply.status, reply.error["field"]) == (400, field)
