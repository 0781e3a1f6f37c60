"""Job profiles as tenants meet them: grants, typed parameters, deletion, and jobs that keep the
terms and step they were accepted with whatever becomes of their profile."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.job_service.api_support import (
    KEY,
    OPERATOR_KEY,
    OTHER_KEY,
    OTHER_TENANT,
    PROFILE,
    TENANT,
    ApiWorld,
    profile_body,
)
from tests.job_service.application_support import ready, step_event

SLEEP = {"kind": "spark", "args": ["s3://bucket/sleep.py", "--seconds={duration}", "--day={day}"]}
TYPES = {
    "duration": {"type": "integer", "minimum": 1, "maximum": 3600},
    "day": {"type": "date"},
}


@pytest.fixture
def world() -> Iterator[ApiWorld]:
    with ApiWorld() as world:
        yield world


# Grants: a profile not granted to a tenant is, to that tenant, a profile that does not exist.


def test_a_profile_granted_to_one_tenant_is_not_found_by_another(world: ApiWorld) -> None:
    # Given a profile for tenant-1 only, and one for every tenant
    world.create_profile(tenants=[TENANT])
    world.create_profile(name="shared")
    stored = world.stored()
    # Then tenant-2 gets what it would get for a missing profile: on read, list and submit
    missing = world.request("GET", "/job-profiles/missing", key=OTHER_KEY)
    hidden = world.request("GET", f"/job-profiles/{PROFILE}", key=OTHER_KEY)
    assert (hidden.status, hidden.body) == (404, missing.body | _named(missing.body, PROFILE))
    listed = world.request("GET", "/job-profiles", key=OTHER_KEY).body["profiles"]
    assert [p["name"] for p in listed] == ["shared"]
    refused = world.submit(key=OTHER_KEY)
    assert (refused.status, refused.error["code"]) == (404, "profile_not_found")
    assert world.stored() == stored
    # And tenant-1 and operators see it
    assert world.request("GET", f"/job-profiles/{PROFILE}").body["tenants"] == [TENANT]
    assert world.submit().status == 202
    every = world.request("GET", "/job-profiles", key=OPERATOR_KEY).body["profiles"]
    assert [p["name"] for p in every] == ["shared", PROFILE]


def _named(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The 404's body for `name` instead of 'missing'."""
    message = body["error"]["message"].replace("'missing'", repr(name))
    return {"error": body["error"] | {"message": message}}


def test_granting_a_tenant_later_lets_it_submit(world: ApiWorld) -> None:
    world.create_profile(tenants=[TENANT])
    assert world.submit(key=OTHER_KEY).status == 404
    body = profile_body(tenants=[TENANT, OTHER_TENANT])
    assert world.request("PUT", f"/job-profiles/{PROFILE}", body, key=OPERATOR_KEY).status == 200
    assert world.submit(key=OTHER_KEY).status == 202


@pytest.mark.parametrize("tenants", [[], ["*", TENANT], ["a b"]])
def test_tenants_must_be_every_tenant_or_tenant_ids(world: ApiWorld, tenants: Any) -> None:
    reply = world.request("POST", "/job-profiles", profile_body(tenants=tenants), key=OPERATOR_KEY)
    assert (reply.status, reply.error["field"].split(".")[0]) == (400, "tenants")
    assert world.stored() == 0


# Typed parameters: a value fills a declared placeholder only if it fits the declared type.


@pytest.mark.parametrize(
    ("parameters", "field", "says"),
    [
        ({"duration": "abc", "day": "2024-01-01"}, "parameters.duration", "whole number"),
        ({"duration": -5, "day": "2024-01-01"}, "parameters.duration", "from 1 to 3600"),
        ({"duration": 1.5, "day": "2024-01-01"}, "parameters.duration", "whole number"),
        ({"duration": True, "day": "2024-01-01"}, "parameters.duration", "whole number"),
        ({"duration": 5, "day": "2024-02-30"}, "parameters.day", "YYYY-MM-DD"),
        ({"duration": 5, "day": "tomorrow"}, "parameters.day", "YYYY-MM-DD"),
    ],
)
def test_a_value_that_does_not_fit_its_type_is_a_400_naming_the_parameter(
    world: ApiWorld, parameters: dict[str, Any], field: str, says: str
) -> None:
    world.create_profile(step_template=SLEEP, parameters=TYPES)
    stored = world.stored()
    reply = world.submit(parameters=parameters)
    assert (reply.status, reply.error["field"]) == (400, field), reply.body
    assert says in reply.error["message"]
    assert world.stored() == stored


def test_a_value_that_fits_fills_its_placeholder_only(world: ApiWorld) -> None:
    world.create_profile(step_template=SLEEP, parameters=TYPES)
    job_id = world.submitted(parameters={"duration": 5, "day": "2024-01-02"})
    world.deliver(ready("c-1"))
    (step,) = world.runner.steps.values()
    args = ["spark-submit", "s3://bucket/sleep.py", "--seconds=5", "--day=2024-01-02"]
    assert step.config["HadoopJarStep"]["Args"] == args
    assert world.request("GET", f"/jobs/{job_id}").body["status"] == "running"


@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({"day": {"type": "date"}}, "parameters"),  # duration undeclared
        (TYPES | {"extra": {"type": "string"}}, "parameters"),
        (TYPES | {"day": {"type": "colour"}}, "parameters.day.type"),
        (TYPES | {"day": {"type": "date", "minimum": 1}}, "parameters.day"),
        (TYPES | {"day": {"type": "enum"}}, "parameters.day"),
        (TYPES | {"day": {"type": "string", "pattern": "("}}, "parameters.day"),
        (TYPES | {"duration": {"type": "integer", "minimum": 5, "maximum": 1}}, "parameters"),
    ],
)
def test_a_profile_must_declare_a_usable_type_for_each_placeholder(
    world: ApiWorld, parameters: dict[str, Any], field: str
) -> None:
    body = profile_body(step_template=SLEEP, parameters=parameters)
    reply = world.request("POST", "/job-profiles", body, key=OPERATOR_KEY)
    assert reply.status == 400, reply.body
    assert reply.error["field"].startswith(field), reply.error
    assert world.stored() == 0


STRING = {"type": "string", "pattern": "[a-z]{1,8}", "max_length": 6}
ENUM = {"type": "enum", "values": ["eu", "us"]}
NUMBER = {"type": "number", "minimum": -1.5, "maximum": 2.5}


def _fits(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str) and len(value) <= 6 and value.isascii() and value.isalpha()
    if kind == "enum":
        return value in ("eu", "us") and isinstance(value, str)
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return is_number and -1.5 <= value <= 2.5


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["string", "enum", "number"]),
    value=st.one_of(
        st.text(alphabet="abcxyzEU -", max_size=9),
        st.sampled_from(["eu", "us", "EU", "eu "]),
        st.integers(-5, 5),
        st.floats(-3, 3, allow_nan=False),
        st.booleans(),
    ),
)
def test_a_value_is_accepted_exactly_when_it_fits_its_declared_type(kind: str, value: Any) -> None:
    declared = {"string": STRING, "enum": ENUM, "number": NUMBER}[kind]
    template = {"kind": "command", "args": ["run", "--value", "{v}"]}
    with ApiWorld() as world:
        world.create_profile(step_template=template, parameters={"v": declared})
        reply = world.submit(parameters={"v": value})
        fits = _fits(kind, value) and not (kind == "string" and value.lower() != value)
        assert (reply.status == 202) == fits, (value, reply.body)
        if not fits:
            assert (reply.status, reply.error["field"]) == (400, "parameters.v")


# A replaced profile: jobs accepted before keep their terms and their step.


def test_a_job_runs_the_step_it_was_accepted_with_after_its_profile_is_replaced(
    world: ApiWorld,
) -> None:
    # Given a queued job under a profile that runs train.py
    world.create_profile()
    job_id = world.submitted()
    # When an operator replaces the profile's program and terms
    replaced = profile_body(
        step_template={"kind": "command", "args": ["other-program", "{date}"]}, max_attempts=7
    )
    assert (
        world.request("PUT", f"/job-profiles/{PROFILE}", replaced, key=OPERATOR_KEY).status == 200
    )
    # Then the job runs the program and terms it was accepted with
    world.deliver(ready("c-1"))
    (step,) = world.runner.steps.values()
    assert step.config["HadoopJarStep"]["Args"] == [
        "spark-submit",
        "s3://bucket/train.py",
        "--date",
        "2024-01-01",
    ]
    assert world.request("GET", f"/jobs/{job_id}").body["max_attempts"] == 3
    # And a job accepted now runs the new program
    later = world.submitted()
    world.deliver(step_event(next(iter(world.runner.steps)), "COMPLETED"))
    world.deliver(ready("c-2"))
    assert world.request("GET", f"/jobs/{later}").body["max_attempts"] == 7
    args = [s.config["HadoopJarStep"]["Args"] for s in world.runner.steps.values()]
    assert args[-1] == ["other-program", "2024-01-01"]


# Deletion: the profile's jobs run on to their end; new submissions are 404.


def test_a_deleted_profiles_jobs_run_on_and_new_ones_are_not_found(world: ApiWorld) -> None:
    # Given a running and a queued job of a profile
    world.create_profile()
    running = world.submitted()
    world.deliver(ready("c-1"))
    queued = world.submitted()
    # When an operator deletes the profile
    deleted = world.request("DELETE", f"/job-profiles/{PROFILE}", key=OPERATOR_KEY)
    assert (deleted.status, deleted.body["name"]) == (200, PROFILE)
    # Then it is gone for everyone, and a new job is a 404 that stores nothing
    for key in (KEY, OPERATOR_KEY):
        assert world.request("GET", f"/job-profiles/{PROFILE}", key=key).status == 404
        assert world.request("GET", "/job-profiles", key=key).body == {"profiles": []}
    stored = world.stored()
    assert world.submit().status == 404
    assert world.stored() == stored
    again = world.request("DELETE", f"/job-profiles/{PROFILE}", key=OPERATOR_KEY)
    assert again.status == 404
    # And its running job ends, after which the queued one runs to its end too
    (first,) = world.runner.steps
    world.deliver(step_event(first, "COMPLETED"))
    assert world.request("GET", f"/jobs/{running}").body["status"] == "succeeded"
    world.deliver(ready("c-2", emr="j-CLUSTER2"))
    assert world.request("GET", f"/jobs/{queued}").body["status"] == "running"
    second = next(s for s in world.runner.steps if s != first)
    world.deliver(step_event(second, "COMPLETED", emr=world.runner.steps[second].emr_cluster_id))
    assert world.request("GET", f"/jobs/{queued}").body["status"] == "succeeded"


def test_a_deleted_profile_may_be_created_again(world: ApiWorld) -> None:
    world.create_profile()
    world.request("DELETE", f"/job-profiles/{PROFILE}", key=OPERATOR_KEY)
    reply = world.create_profile(timeout_seconds=60)
    assert reply.body["timeout_seconds"] == 60
    assert world.submit().status == 202


@pytest.mark.parametrize("key", [KEY, OTHER_KEY])
def test_a_tenant_deleting_a_profile_is_refused_403_and_nothing_changes(
    world: ApiWorld, key: str
) -> None:
    world.create_profile()
    stored = world.stored()
    reply = world.request("DELETE", f"/job-profiles/{PROFILE}", key=key)
    assert (reply.status, reply.error["code"]) == (403, "forbidden")
    assert world.stored() == stored
    assert world.submit().status == 202


# Parameters never choose the program: no placeholder where the code that runs is named.


CHOOSES_THE_PROGRAM = [
    {"kind": "command", "args": ["{program}", "--day={day}"]},
    {"kind": "command", "args": ["spark-submit", "s3://bucket/{script}.py"]},
    {"kind": "spark", "args": ["--deploy-mode", "cluster", "{app}"]},
    {"kind": "spark", "args": ["--class", "{main}", "s3://bucket/app.jar"]},
    {"kind": "spark", "args": ["--jars={jars}", "s3://bucket/app.jar"]},
    {"kind": "spark", "args": ["--conf", "spark.x={conf}", "s3://bucket/app.py"]},
]
ONLY_THE_PROGRAMS_ARGUMENTS = [
    {"kind": "command", "args": ["spark-submit", "--deploy-mode", "{mode}", "s3://b/a.py"]},
    {"kind": "spark", "args": ["--verbose", "s3://bucket/app.py", "--class", "{x}"]},
    {"kind": "spark", "args": ["--num-executors={n}", "s3://bucket/app.py", "{in}"]},
]


@pytest.mark.parametrize(
    ("template", "chooses"),
    [(t, True) for t in CHOOSES_THE_PROGRAM] + [(t, False) for t in ONLY_THE_PROGRAMS_ARGUMENTS],
)
def test_a_placeholder_that_would_choose_the_program_is_a_400(
    world: ApiWorld, template: dict[str, Any], chooses: bool
) -> None:
    body = profile_body(step_template=template)
    reply = world.request("POST", "/job-profiles", body, key=OPERATOR_KEY)
    if not chooses:
        assert reply.status == 201, reply.body
        return
    assert (reply.status, reply.error["field"]) == (400, "step_template.args"), reply.body
    assert "choose the program" in reply.error["message"]
    assert world.stored() == 0
