"""Tenants over the REST API: operators register them, change their terms and manage their
keys; stored keys authenticate at once and stop at once when revoked; admission quotas refuse
what a tenant's terms do not allow, storing nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.job_service.api_support import KEY, OPERATOR_KEY, ApiWorld, Reply
from tests.job_service.application_support import ready, step_event


@pytest.fixture
def world() -> Iterator[ApiWorld]:
    with ApiWorld() as world:
        world.create_profile()
        yield world


def register(world: ApiWorld, **body: Any) -> Reply:
    reply = world.request("POST", "/tenants", {"name": "acme"} | body, key=OPERATOR_KEY)
    assert reply.status == 201, reply.body
    return reply


def patch(world: ApiWorld, tenant_id: str, body: Any) -> Reply:
    return world.request("PATCH", f"/tenants/{tenant_id}", body, key=OPERATOR_KEY)


# Registration and reading.


def test_an_operator_registers_a_tenant_and_gets_its_key_once(world: ApiWorld) -> None:
    created = register(world, weight=2, quotas={"max_queued": 3}).body
    assert created["tenant_id"] == "acme" and created["api_key"].startswith("tk_")
    assert (created["weight"], created["quotas"]["max_queued"]) == (2, 3)
    assert created["allowed_priorities"] is None
    shown = world.request("GET", "/tenants/acme", key=OPERATOR_KEY)
    assert shown.status == 200
    assert "api_key" not in shown.body and created["api_key"] not in shown.raw.decode()
    assert [k["key_id"] for k in shown.body["keys"]] == [created["key_id"]]
    listed = world.request("GET", "/tenants", key=OPERATOR_KEY).body["tenants"]
    assert [t["tenant_id"] for t in listed] == ["acme"]


def test_the_tenant_id_is_the_name_made_a_slug_and_is_registered_once(world: ApiWorld) -> None:
    assert register(world, name="Acme Corp").body["tenant_id"] == "acme-corp"
    stored = world.stored()
    again = world.request("POST", "/tenants", {"name": "acme-corp"}, key=OPERATOR_KEY)
    assert (again.status, again.error["code"]) == (409, "tenant_exists")
    nothing = world.request("POST", "/tenants", {"name": "!!!"}, key=OPERATOR_KEY)
    assert (nothing.status, nothing.error["field"]) == (400, "name")
    assert world.stored() == stored


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "weight": 0}, "weight"),
        ({"name": "x", "weight": "2"}, "weight"),
        ({"name": "x", "allowed_priorities": []}, "allowed_priorities"),
        ({"name": "x", "allowed_priorities": ["urgent"]}, "allowed_priorities.0"),
        ({"name": "x", "quotas": {"max_queued": -1}}, "quotas.max_queued"),
        ({"name": "x", "quotas": {"max_running": 1.5}}, "quotas.max_running"),
        ({"name": "x", "quotas": {"max_jobs": 1}}, "quotas.max_jobs"),
        ({"name": "x", "tenant_id": "y"}, "tenant_id"),
        ({}, "name"),
    ],
)
def test_a_bad_tenant_is_a_400_naming_the_field(
    world: ApiWorld, body: dict[str, Any], field: str
) -> None:
    stored = world.stored()
    reply = world.request("POST", "/tenants", body, key=OPERATOR_KEY)
    assert (reply.status, reply.error["field"]) == (400, field), reply.body
    assert world.stored() == stored


def test_patch_changes_only_what_it_names(world: ApiWorld) -> None:
    register(world, weight=2, quotas={"max_queued": 3, "max_running": 4})
    changed = patch(world, "acme", {"quotas": {"max_queued": None}, "allowed_priorities": ["low"]})
    assert changed.status == 200, changed.body
    body = changed.body
    assert (body["weight"], body["allowed_priorities"]) == (2, ["low"])
    assert (body["quotas"]["max_queued"], body["quotas"]["max_running"]) == (None, 4)
    bad = patch(world, "acme", {"quotas": {"max_running": -2}})
    assert (bad.status, bad.error["field"]) == (400, "quotas.max_running")
    missing = patch(world, "nobody", {"weight": 1})
    assert (missing.status, missing.error["code"]) == (404, "tenant_not_found")
    board_terms = world.service.app.current_board().terms_of("acme")
    assert board_terms.quotas.max_running == 4 and board_terms.weight == 2


# Keys: stored as hashes, rotated without downtime, refused once revoked.


def test_a_stored_key_works_at_once_and_a_revoked_one_is_refused(world: ApiWorld) -> None:
    first = register(world).body
    assert world.submit(key=first["api_key"]).status == 202
    second = world.request("POST", "/tenants/acme/keys", key=OPERATOR_KEY)
    assert second.status == 201 and second.body["api_key"] != first["api_key"]
    # Both keys work during the rotation
    assert world.request("GET", "/jobs", key=first["api_key"]).status == 200
    assert world.request("GET", "/jobs", key=second.body["api_key"]).status == 200
    revoked = world.request("DELETE", f"/tenants/acme/keys/{first['key_id']}", key=OPERATOR_KEY)
    assert revoked.status == 200
    assert [k["key_id"] for k in revoked.body["keys"]] == [second.body["key_id"]]
    refused = world.request("GET", "/jobs", key=first["api_key"])
    assert (refused.status, refused.error["code"]) == (401, "unauthorized")
    jobs = world.request("GET", "/jobs", key=second.body["api_key"]).body["jobs"]
    assert len(jobs) == 1
    again = world.request("DELETE", f"/tenants/acme/keys/{first['key_id']}", key=OPERATOR_KEY)
    assert (again.status, again.error["code"]) == (404, "key_not_found")


def test_keys_are_stored_only_as_hashes(world: ApiWorld) -> None:
    key = register(world).body["api_key"]
    recorder = world.service.app.recorder
    stored = b"".join(n.state for n in recorder.select_notifications(start=1, limit=1000))
    assert key.encode() not in stored


# Admission quotas.


def test_a_priority_the_tenant_may_not_use_is_a_403_and_stores_nothing(world: ApiWorld) -> None:
    key = register(world, allowed_priorities=["low", "normal"]).body["api_key"]
    stored = world.stored()
    refused = world.submit(key=key, priority="high")
    assert (refused.status, refused.error["code"]) == (403, "not_allowed")
    assert refused.error["field"] == "allowed_priorities"
    assert world.stored() == stored
    assert world.submit(key=key, priority="low").status == 202


def test_past_max_queued_a_submission_is_a_429_with_retry_after(world: ApiWorld) -> None:
    key = register(world, quotas={"max_queued": 2}).body["api_key"]
    first = world.submit(key=key, headers={"Idempotency-Key": "one"})
    assert first.status == 202
    assert world.submit(key=key).status == 202
    stored = world.stored()
    refused = world.submit(key=key)
    assert (refused.status, refused.error["code"]) == (429, "over_quota")
    assert refused.error["field"] == "quotas.max_queued"
    assert int(refused.headers["retry-after"]) > 0
    assert world.stored() == stored
    # An idempotent resubmission of an accepted job is answered as before
    repeat = world.submit(key=key, headers={"Idempotency-Key": "one"})
    assert (repeat.status, repeat.body["job_id"]) == (202, first.body["job_id"])
    # A quota raised counts from the next decision on
    assert patch(world, "acme", {"quotas": {"max_queued": 3}}).status == 200
    assert world.submit(key=key).status == 202
    assert world.submit(key=key).status == 429
    # And a job that leaves the queue frees a place
    world.deliver(ready("c-1"))
    assert world.submit(key=key).status == 202


def test_used_up_monthly_cluster_hours_are_a_403_until_the_month_ends(world: ApiWorld) -> None:
    # Given a tenant allowed one cluster-hour a month, and a job that ran two hours on one of
    # two slots (one cluster-hour)
    key = register(world, quotas={"monthly_cluster_hours": 1}).body["api_key"]
    job_id = world.submit(key=key).body["job_id"]
    world.deliver(ready("c-1", slots=2))
    step_id = world.service.app.get("acme", job_id).step_id or ""
    world.advance(2 * 3600 - 1)
    assert world.submit(key=key).status == 202  # 0.9997 cluster-hours so far
    world.advance(1)
    world.deliver(step_event(step_id, "COMPLETED"))
    stored = world.stored()
    refused = world.submit(key=key)
    assert (refused.status, refused.error["code"]) == (403, "not_allowed")
    assert refused.error["field"] == "quotas.monthly_cluster_hours"
    assert world.stored() == stored
    # When the month ends (T0 is 2024-01-01), the tenant may submit again
    world.advance(31 * 24 * 3600)
    assert world.submit(key=key).status == 202


# Only operators.


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/tenants", {"name": "evil"}),
        ("GET", "/tenants", None),
        ("GET", "/tenants/acme", None),
        ("PATCH", "/tenants/acme", {"weight": 100}),
        ("POST", "/tenants/acme/keys", None),
        ("DELETE", "/tenants/acme/keys/x", None),
    ],
)
def test_a_tenant_cannot_manage_tenants(world: ApiWorld, method: str, path: str, body: Any) -> None:
    # Given a stored tenant, and a tenant of the settings' keys
    acme_key = register(world).body["api_key"]
    stored = world.stored()
    # When either calls an operators' route, then it is a 403 and nothing changes
    for key in (acme_key, KEY):
        reply = world.request(method, path, body, key=key)
        assert (reply.status, reply.error["code"]) == (403, "forbidden")
    assert world.stored() == stored
