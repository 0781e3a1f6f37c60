"""Tenant isolation, tried as an attacker would: tenant A, holding only its own key, against every
route of the job service (on the DynamoDB event store in the emulator), and of the monitor.

A must not read, list, cancel, see the history of, or learn the existence of B's jobs (each
answer is the one a job that does not exist gets), must not use a profile not granted to it,
must not manage profiles or tenants (403, and the store is unchanged), and must not get in with
a missing, wrong, revoked or rotated-out key (401), even one revoked by another process.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest

from job_service.adapters import FakeStepRunner
from job_service.bootstrap import JobService, JobServiceSettings, bootstrap
from local_runtime.emulator import Emulator
from tests.job_service.api_support import (
    KEY,
    OPERATOR_KEY,
    PROFILE,
    ApiWorld,
    Reply,
    job_body,
    profile_body,
)
from tests.job_service.application_support import ready
from tests.monitor_service import api_support as monitor

pytestmark = pytest.mark.emulator

SECRET = "beta-only"
"""A job profile granted to tenant beta alone."""


class Attack:
    """The platform as two tenants, alpha (the attacker) and beta (the victim), find it."""

    def __init__(self, world: ApiWorld) -> None:
        self.world = world
        world.create_profile()
        world.create_profile(name=SECRET, tenants=["beta"])
        self.alpha = self.register("alpha")
        self.beta = self.register("beta")
        self.a, self.b = self.alpha["api_key"], self.beta["api_key"]
        self.b_queued = self.submit(self.b, headers={"Idempotency-Key": "nightly-1"})
        self.b_secret = self.submit(self.b, profile=SECRET)
        self.b_running = self.submit(self.b)
        world.deliver(ready("c-1", slots=1))  # the oldest of beta's jobs takes the only slot
        self.a_job = self.submit(self.a)

    def register(self, name: str) -> dict[str, Any]:
        reply = self.world.request("POST", "/tenants", {"name": name}, key=OPERATOR_KEY)
        assert reply.status == 201, reply.body
        body: dict[str, Any] = reply.body
        return body

    def submit(self, key: str, headers: dict[str, str] | None = None, **body: Any) -> str:
        reply = self.world.submit(key=key, headers=headers, **body)
        assert reply.status == 202, reply.body
        return str(reply.body["job_id"])

    def as_alpha(self, method: str, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.world.request(method, path, body, key=self.a, **kw)


@pytest.fixture
def service(emulator: Emulator, table: str) -> JobService:
    settings = JobServiceSettings.from_env(
        {"JOB_SERVICE_TABLE": table, "AWS_ENDPOINT_URL": emulator.endpoint_url}
    )
    return bootstrap(settings, step_runner=FakeStepRunner())


@pytest.fixture
def attack(service: JobService) -> Iterator[Attack]:
    with ApiWorld(service) as world:
        yield Attack(world)


def same_as_missing(reply: Reply, missing: Reply, their_id: str, missing_id: str) -> bool:
    """Whether `reply` is `missing` but for the id it names (nothing else tells them apart)."""
    text = reply.raw.decode().replace(their_id, missing_id)
    return (reply.status, json.loads(text), reply.headers.get("content-type")) == (
        missing.status,
        missing.body,
        missing.headers.get("content-type"),
    )


JOB_ROUTES = [("GET", "/jobs/{}"), ("DELETE", "/jobs/{}"), ("GET", "/jobs/{}/history")]


@pytest.mark.parametrize(("method", "path"), JOB_ROUTES)
def test_another_tenants_job_is_answered_as_a_missing_one(
    attack: Attack, method: str, path: str
) -> None:
    stored = attack.world.stored()
    nobody = str(uuid4())
    missing = attack.as_alpha(method, path.format(nobody))
    assert missing.status == 404
    for theirs in (attack.b_queued, attack.b_running, attack.b_secret):
        reply = attack.as_alpha(method, path.format(theirs))
        assert same_as_missing(reply, missing, theirs, nobody), reply.body
    assert attack.world.stored() == stored
    # And beta's jobs are as they were: nothing was cancelled
    statuses = [
        attack.world.request("GET", f"/jobs/{j}", key=attack.b).body["status"]
        for j in (attack.b_queued, attack.b_running)
    ]
    assert statuses == ["running", "queued"]


@pytest.mark.parametrize(
    "query",
    ["", "?status=queued", "?status=running", f"?profile={SECRET}", f"?profile={PROFILE}"],
)
def test_listings_hold_only_the_callers_jobs(attack: Attack, query: str) -> None:
    reply = attack.as_alpha("GET", f"/jobs{query}")
    assert reply.status == 200
    assert {j["job_id"] for j in reply.body["jobs"]} <= {attack.a_job}


def test_beta_s_page_token_pages_through_alpha_s_jobs_only(attack: Attack) -> None:
    page = attack.world.request("GET", "/jobs?limit=1", key=attack.b).body
    assert page["next_token"]
    reply = attack.as_alpha("GET", f"/jobs?limit=1&next_token={page['next_token']}")
    assert reply.status in (200, 400)
    if reply.status == 200:
        assert {j["job_id"] for j in reply.body["jobs"]} <= {attack.a_job}


def test_an_idempotency_key_of_another_tenant_makes_the_callers_own_job(attack: Attack) -> None:
    reply = attack.world.submit(key=attack.a, headers={"Idempotency-Key": "nightly-1"})
    assert reply.status == 202 and reply.body["job_id"] != attack.b_queued
    mine = attack.as_alpha("GET", f"/jobs/{reply.body['job_id']}")
    assert mine.status == 200


def test_a_profile_not_granted_is_a_missing_profile_on_every_route(attack: Attack) -> None:
    stored = attack.world.stored()
    for path in (f"/job-profiles/{SECRET}", "/job-profiles/no-such-profile"):
        assert attack.as_alpha("GET", path).status == 404
    hidden = attack.as_alpha("GET", f"/job-profiles/{SECRET}")
    missing = attack.as_alpha("GET", "/job-profiles/no-such-profile")
    assert same_as_missing(hidden, missing, SECRET, "no-such-profile")
    listed = [p["name"] for p in attack.as_alpha("GET", "/job-profiles").body["profiles"]]
    assert SECRET not in listed
    refused = attack.world.submit(key=attack.a, profile=SECRET)
    absent = attack.world.submit(key=attack.a, profile="no-such-profile")
    assert same_as_missing(refused, absent, SECRET, "no-such-profile")
    assert attack.world.stored() == stored


MANAGEMENT = [
    ("POST", "/job-profiles", profile_body(name="evil")),
    ("PUT", f"/job-profiles/{PROFILE}", profile_body(tenants=["alpha"])),
    ("PUT", f"/job-profiles/{SECRET}", profile_body(name=SECRET, tenants=["alpha"])),
    ("DELETE", f"/job-profiles/{SECRET}", None),
    ("POST", "/tenants", {"name": "mallory"}),
    ("GET", "/tenants", None),
    ("GET", "/tenants/beta", None),
    ("GET", "/tenants/alpha", None),
    ("PATCH", "/tenants/alpha", {"weight": 1000, "quotas": {"max_queued": None}}),
    ("PATCH", "/tenants/beta", {"allowed_priorities": ["low"]}),
    ("POST", "/tenants/beta/keys", None),
    ("POST", "/tenants/alpha/keys", None),
    ("DELETE", "/tenants/beta/keys/{beta_key}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), MANAGEMENT)
def test_a_tenant_cannot_manage_profiles_or_tenants(
    attack: Attack, method: str, path: str, body: Any
) -> None:
    stored = attack.world.stored()
    for key in (attack.a, KEY):  # a stored tenant key, and one of the settings' keys
        reply = attack.world.request(
            method, path.format(beta_key=attack.beta["key_id"]), body, key=key
        )
        assert (reply.status, reply.error["code"]) == (403, "forbidden"), reply.body
        assert "api_key" not in reply.raw.decode()
    assert attack.world.stored() == stored
    assert attack.world.request("GET", "/jobs", key=attack.b).status == 200


def test_operators_have_no_jobs_to_read(attack: Attack) -> None:
    routes = [("GET", "/jobs"), *[(m, p.format(attack.b_queued)) for m, p in JOB_ROUTES]]
    for method, path in routes:
        reply = attack.world.request(method, path, key=OPERATOR_KEY)
        assert (reply.status, reply.error["code"]) == (403, "forbidden")


@pytest.mark.parametrize(
    "key", [None, "", "x", "not-a-key-of-anyone", "tk_" + "A" * 43, "local-operator-key "]
)
def test_a_missing_or_wrong_key_is_a_401_on_every_route(attack: Attack, key: str | None) -> None:
    stored = attack.world.stored()
    routes = [
        ("POST", "/jobs", job_body()),
        ("GET", "/jobs", None),
        *[(m, p.format(attack.b_queued), None) for m, p in JOB_ROUTES],
        ("GET", "/job-profiles", None),
        ("POST", "/tenants", {"name": "mallory"}),
        ("GET", "/tenants", None),
    ]
    for method, path, body in routes:
        reply = attack.world.request(method, path, body, key=key or None)
        assert (reply.status, reply.error["code"]) == (401, "unauthorized"), (method, path)
    assert attack.world.stored() == stored


def test_a_rotated_out_key_is_refused_at_once_and_the_new_one_works(attack: Attack) -> None:
    new = attack.world.request("POST", "/tenants/alpha/keys", key=OPERATOR_KEY).body
    old_id = attack.alpha["key_id"]
    assert attack.world.request("GET", f"/jobs/{attack.a_job}", key=new["api_key"]).status == 200
    assert attack.as_alpha("GET", f"/jobs/{attack.a_job}").status == 200  # both during rotation
    revoke = attack.world.request("DELETE", f"/tenants/alpha/keys/{old_id}", key=OPERATOR_KEY)
    assert revoke.status == 200
    for method, path in [("GET", "/jobs"), ("GET", f"/jobs/{attack.a_job}")]:
        reply = attack.as_alpha(method, path)
        assert (reply.status, reply.error["code"]) == (401, "unauthorized")
    assert attack.world.request("GET", "/jobs", key=new["api_key"]).status == 200


def test_a_key_revoked_by_another_process_is_refused_here(
    attack: Attack, emulator: Emulator, service: JobService
) -> None:
    # Given this process has served beta's key (it is warm)
    assert attack.world.request("GET", "/jobs", key=attack.b).status == 200
    # When another process, on the same table, revokes it
    other = bootstrap(service.settings, step_runner=FakeStepRunner())
    other.app.revoke_key("beta", attack.beta["key_id"], at=attack.world.now)
    # Then this process refuses it on the next request
    reply = attack.world.request("GET", "/jobs", key=attack.b)
    assert (reply.status, reply.error["code"]) == (401, "unauthorized")


@pytest.mark.parametrize(
    "path",
    ["/metrics", "/health", "/audit/events?tenant=beta", "/audit/jobs/" + str(uuid4())],
)
def test_the_monitors_figures_are_for_operators_only(path: str) -> None:
    # Tenants' keys (of the settings and stored ones alike) are no operator's key
    with monitor.ApiWorld() as world:
        for key in ("local-demo-key", "local-acme-key", KEY, None):
            reply = world.get(path, key=key)
            assert (reply.status, reply.error["code"]) == (401, "unauthorized"), path
        assert world.get(path).status == 200 or path.startswith("/audit/jobs/")
