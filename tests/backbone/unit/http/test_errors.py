"""ApiError's body, ErrorMap's statuses and hints, pydantic's errors as 400s, Chalice's own."""

from __future__ import annotations

import json

import pytest
from chalice.app import Chalice, Response
from chalice.test import Client
from pydantic import BaseModel, ConfigDict, ValidationError

from backbone.http.errors import (
    ApiError,
    ErrorBody,
    ErrorMap,
    envelope_chalice_errors,
    from_validation,
    internal_error,
    snake_case,
)


class NotFound(Exception):
    pass


class ProfileNotFound(NotFound):
    field = "profile"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: str
    size: int


ERRORS = ErrorMap({NotFound: 404}, hints={NotFound: "GET /things lists them"})


def test_an_api_error_renders_the_envelope_and_validates_as_error_body() -> None:
    error = ApiError(
        400, "invalid_request", "size: too big", "size", [{"field": "size", "message": "x"}]
    )
    response = error.response({"Retry-After": "1"})
    assert response.status_code == 400 and response.headers == {"Retry-After": "1"}
    assert response.body == {
        "error": {
            "code": "invalid_request",
            "message": "size: too big",
            "field": "size",
            "details": [{"field": "size", "message": "x"}],
        }
    }
    ErrorBody.model_validate(response.body)


def test_a_subclass_gets_its_bases_status_its_own_code_the_hint_and_its_field() -> None:
    answer = ERRORS.answer(ProfileNotFound("no profile p"))
    assert answer is not None
    assert (answer.status, answer.code, answer.field) == (404, "profile_not_found", "profile")
    assert answer.message == "no profile p; GET /things lists them"


def test_an_error_no_client_causes_has_no_answer_and_is_raised_again() -> None:
    assert ERRORS.answer(KeyError("x")) is None
    with pytest.raises(KeyError):
        ERRORS.answer_or_raise(KeyError("x"))
    assert ERRORS.answer_or_raise(NotFound("gone"), field="id").field == "id"


def test_pydantic_errors_name_the_first_field_and_list_every_one() -> None:
    with pytest.raises(ValidationError) as caught:
        Strict.model_validate({"size": "3", "colour": "red"})
    answer = from_validation(caught.value)
    assert (answer.status, answer.code, answer.field) == (400, "invalid_request", "name")
    assert answer.message == "name: is required; add it (and 2 more problem(s), see details)"
    assert [d["field"] for d in answer.details or []] == ["name", "size", "colour"]


def test_a_body_that_is_not_json_is_malformed_json() -> None:
    with pytest.raises(ValidationError) as caught:
        Strict.model_validate_json(b"{nope")
    answer = from_validation(caught.value)
    assert (answer.code, answer.field, answer.details) == ("malformed_json", None, None)
    assert answer.message.startswith("the body is not valid JSON")


def test_a_500_says_nothing_of_its_cause() -> None:
    assert internal_error("the x service").body()["error"] == {
        "code": "internal_error",
        "field": None,
        "message": "the x service could not answer; try again later",
    }


def test_snake_case() -> None:
    assert snake_case("JobNotFound") == "job_not_found"
    assert snake_case("HTTPError") == "httperror"


def test_chalices_own_answers_get_the_same_envelope() -> None:
    app = Chalice(app_name="t")
    app.register_middleware(envelope_chalice_errors, "http")

    @app.route("/things", methods=["POST"])
    def things() -> Response:
        return Response({"ok": True})

    with Client(app) as client:
        answer = client.http.request("GET", "/things")
        posted = client.http.post("/things", headers={"content-type": "application/json"})
    error = json.loads(answer.body)["error"]
    assert answer.status_code == 405
    assert error["code"] == "method_not_allowed"
    assert error["message"].endswith("use one of the methods in the Allow header")
    assert json.loads(posted.body) == {"ok": True}
