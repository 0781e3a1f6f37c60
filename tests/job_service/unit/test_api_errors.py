"""What a client gets wrong never reaches the store: each mistake is a 4xx naming what to fix."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from backbone.http.runtime import MAX_BODY_BYTES
from job_service.api.errors import ERRORS, STATUS
from job_service.application import Conflict, JobNotFound, ProfileExists, ProfileNotFound
from job_service.domain import (
    IllegalTransition,
    InvalidJob,
    InvalidParameter,
    InvalidTemplate,
    JobServiceError,
    MissingParameter,
    PriorityNotAllowed,
    ProfileError,
    StaleSignal,
    UnknownParameter,
)
from tests.job_service.api_support import PARAMETERS, ApiWorld, job_body


@pytest.fixture
def world() -> Iterator[ApiWorld]:
    with ApiWorld() as world:
        world.create_profile(allowed_priorities=["normal", "low"])
        yield world


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (b"{not json", 400, "malformed_json", None),
        (b"\xff\xfe{}", 400, "malformed_json", None),
        (b"", 400, "missing_body", None),
        (b"[]", 400, "invalid_request", None),
        (b'"a job"', 400, "invalid_request", None),
        (job_body(name=7), 400, "invalid_request", "name"),
        (job_body(name=""), 400, "invalid_request", "name"),
        (job_body(name="x" * 257), 400, "invalid_request", "name"),
        (job_body(name="tab\x00"), 400, "profile_error", "name"),
        (job_body(parameters=["date"]), 400, "invalid_request", "parameters"),
        (job_body(parameters={"date": ["2024"]}), 400, "invalid_request", "parameters.date"),
        (job_body(parameters={"date": None}), 400, "invalid_request", "parameters.date"),
        (job_body(parameters={"date": 2**64}), 400, "invalid_request", "parameters.date"),
        (job_body(parameters={"date": "x" * 4097}), 400, "invalid_request", "parameters.date"),
        (job_body(parameters={"date": "-rf"}), 400, "invalid_parameter", "parameters.date"),
        (job_body(parameters={"1date": "x"}), 400, "invalid_request", "parameters.1date"),
        (job_body(parameters={}), 400, "missing_parameter", "parameters.date"),
        (job_body(parameters=PARAMETERS | {"x": 1}), 400, "unknown_parameter", "parameters.x"),
        (job_body(priority="urgent"), 400, "invalid_request", "priority"),
        (job_body(priority="critical"), 400, "priority_not_allowed", "priority"),
        (job_body(profile="missing"), 404, "profile_not_found", "profile"),
        (job_body(profile=3), 400, "invalid_request", "profile"),
        (job_body(tenant_id="tenant-2"), 400, "invalid_request", "tenant_id"),
        ({"name": "nightly"}, 400, "invalid_request", "profile"),
    ],
)
def test_a_bad_submission_is_refused_and_stores_nothing(
    world: ApiWorld, body: Any, status: int, code: str, field: str | None
) -> None:
    stored = world.stored()

    reply = world.request("POST", "/jobs", body)

    assert (reply.status, reply.error["code"], reply.error["field"]) == (status, code, field)
    assert reply.error["message"]
    assert world.stored() == stored


def test_a_refusal_says_what_to_fix(world: ApiWorld) -> None:
    reply = world.request("POST", "/jobs", job_body(colour="red"))
    assert reply.error == {
        "code": "invalid_request",
        "message": "colour: is not a field of this request; remove it (or check its spelling)",
        "field": "colour",
    }


def test_a_body_over_256_kib_is_a_413(world: ApiWorld) -> None:
    body = json.dumps(job_body(name="x" * MAX_BODY_BYTES)).encode()
    reply = world.request("POST", "/jobs", body)
    assert (reply.status, reply.error["code"]) == (413, "body_too_large")
    assert world.stored() == 4  # the profile's and the profile index's events only


def test_parameters_too_big_for_one_event_are_a_400(world: ApiWorld) -> None:
    parameters = {f"p{i}": "x" * 4000 for i in range(40)}
    reply = world.request("POST", "/jobs", job_body(parameters=parameters))
    assert (reply.status, reply.error["field"]) == (400, "parameters")


def test_a_body_that_is_not_json_is_a_415_in_the_same_shape(world: ApiWorld) -> None:
    reply = world.request("POST", "/jobs", b"x", headers={"content-type": "text/plain"})
    assert (reply.status, reply.error["code"]) == (415, "unsupported_media_type")


def test_an_unknown_method_is_a_405_in_the_same_shape(world: ApiWorld) -> None:
    reply = world.request("PATCH", "/jobs", job_body())
    assert (reply.status, reply.error["code"]) == (405, "method_not_allowed")
    assert reply.headers["allow"] == "POST, GET"


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "é"])
def test_a_bad_idempotency_key_is_a_400(world: ApiWorld, key: str) -> None:
    reply = world.submit(headers={"idempotency-key": key})
    assert (reply.status, reply.error["field"]) == (400, "Idempotency-Key")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/jobs"),
        ("GET", "/jobs"),
        ("GET", "/jobs/x"),
        ("DELETE", "/jobs/x"),
        ("GET", "/jobs/x/history"),
        ("GET", "/job-profiles"),
        ("POST", "/job-profiles"),
        ("GET", "/job-profiles/x"),
        ("PUT", "/job-profiles/x"),
    ],
)
@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_every_route_but_the_document_needs_a_known_api_key(
    world: ApiWorld, method: str, path: str, key: str | None
) -> None:
    reply = world.request(method, path, job_body(), key=key)
    assert (reply.status, reply.error["code"], reply.error["field"]) == (
        401,
        "unauthorized",
        "X-Api-Key",
    )
    assert world.stored() == 4


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (JobNotFound("j"), 404),
        (ProfileNotFound("p"), 404),
        (Conflict("c"), 409),
        (ProfileExists("p"), 409),
        (IllegalTransition("cancel", "succeeded"), 409),
        (ProfileError("p"), 400),
        (InvalidTemplate("t"), 400),
        (PriorityNotAllowed("high", ["low"]), 400),
        (MissingParameter(["a"]), 400),
        (UnknownParameter(["a"]), 400),
        (InvalidParameter("a", "is bad"), 400),
        (InvalidJob("j"), 400),
    ],
)
def test_each_error_class_has_one_status(error: JobServiceError, status: int) -> None:
    answer = ERRORS.answer(error)
    assert answer is not None and answer.status == status


def test_every_mapped_class_is_an_error_of_the_service() -> None:
    assert all(issubclass(cls, JobServiceError) for cls in STATUS)


def test_an_error_no_client_can_cause_is_a_500_in_the_same_shape(
    world: ApiWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    def stale(*args: object, **kwargs: object) -> None:
        raise StaleSignal("step_succeeded", "a bug")

    monkeypatch.setattr(world.service.app, "list_profiles", stale)
    reply = world.request("GET", "/job-profiles")
    assert (reply.status, reply.error["code"]) == (500, "internal_error")
