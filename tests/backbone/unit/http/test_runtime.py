"""ApiHolder builds once; Call reads bodies and queries into models; Server answers every error
and judges callers before the Api is built."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from chalice.app import Chalice, Request, Response
from chalice.test import Client
from pydantic import BaseModel, ConfigDict

from backbone.http.errors import ApiError, ErrorMap
from backbone.http.identity import Identity
from backbone.http.runtime import MAX_BODY_BYTES, ApiHolder, Call, Server, json_response


class Thing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    size: int = 1


class Gone(Exception):
    pass


@dataclass
class FakeApi:
    identity: Identity


IDENTITY = Identity(("sub",), {"good-key-1": "ann"})
built: list[FakeApi] = []
unbuildable: list[bool] = []
"""Holds True while building the Api fails (its store unreachable)."""


def build() -> FakeApi:
    if unbuildable:
        raise ConnectionError("the store is unreachable")
    built.append(FakeApi(IDENTITY))
    return built[-1]


holder: ApiHolder[FakeApi] = ApiHolder(build, lambda: IDENTITY)
server = Server(holder, Call[FakeApi], ErrorMap({Gone: 410}), "the test service")
app = Chalice(app_name="runtime-test")


def _request() -> Request:
    assert app.current_request is not None
    return app.current_request


def _echo(call: Call[FakeApi]) -> Response:
    body = call.body(Thing) if call.request.method == "POST" else call.query(Thing)
    return json_response(body, 201, {"X-Caller": call.principal})


def _fail(call: Call[FakeApi], kind: str) -> Response:
    errors: dict[str, Exception] = {"gone": Gone("it went"), "bug": RuntimeError("secret detail")}
    raise errors[kind]


@app.route("/things", methods=["GET", "POST"])
def things() -> Response:
    return server.serve(_request(), _echo)


@app.route("/fail/{kind}", methods=["GET"])
def fail(kind: str) -> Response:
    return server.serve(_request(), _fail, kind)


@app.route("/public", methods=["GET"])
def public() -> Response:
    return server.serve_public(_request(), lambda request: Response({"path": request.path}))


def _missing(request: Request) -> Response:
    raise ApiError(404, "not_here", "no", "name")


@app.route("/public/missing", methods=["GET"])
def public_missing() -> Response:
    return server.serve_public(_request(), _missing)


@pytest.fixture
def client() -> Iterator[Client]:
    built.clear()
    unbuildable.clear()
    holder.use(None)
    with Client(app) as client:
        yield client


def _send(
    client: Client, method: str, path: str, body: bytes = b"", key: str | None = "good-key-1"
) -> Any:
    headers = {"content-type": "application/json"} | ({} if key is None else {"x-api-key": key})
    answer = client.http.request(method, path, headers=headers, body=body)
    return answer.status_code, json.loads(answer.body), answer.headers


def test_the_api_is_built_on_the_first_request_only_and_again_after_use_none(
    client: Client,
) -> None:
    assert built == []
    _send(client, "GET", "/things?name=a")
    _send(client, "GET", "/things?name=b")
    assert len(built) == 1
    holder.use(None)
    _send(client, "GET", "/things?name=c")
    assert len(built) == 2


def test_a_body_and_a_query_are_read_into_the_model(client: Client) -> None:
    status, body, headers = _send(client, "POST", "/things", b'{"name": "a", "size": 2}')
    assert (status, body, headers["X-Caller"]) == (201, {"name": "a", "size": 2}, "ann")
    assert _send(client, "GET", "/things?name=b&size=3")[:2] == (201, {"name": "b", "size": 3})


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code", "field"),
    [
        ("POST", "/things", b" ", 400, "missing_body", None),
        ("POST", "/things", b'{"name": 1}', 400, "invalid_request", "name"),
        ("POST", "/things", b"x" * (MAX_BODY_BYTES + 1), 413, "body_too_large", None),
        ("GET", "/things?name=a&name=b", b"", 400, "invalid_request", "name"),
        ("GET", "/things?name=a&colour=red", b"", 400, "invalid_request", "colour"),
    ],
)
def test_what_the_model_refuses_is_a_4xx_naming_the_field(
    client: Client, method: str, path: str, body: bytes, status: int, code: str, field: Any
) -> None:
    answer_status, answer, _ = _send(client, method, path, body)
    assert (answer_status, answer["error"]["code"], answer["error"]["field"]) == (
        status,
        code,
        field,
    )


def test_an_unknown_key_is_401_before_the_action_runs(client: Client) -> None:
    status, body, _ = _send(client, "POST", "/things", b"{}", key="bad-key-99")
    assert (status, body["error"]["code"]) == (401, "unauthorized")


@pytest.mark.parametrize("key", [None, "bad-key-99"])
def test_an_unknown_caller_is_401_even_when_the_api_cannot_be_built(
    client: Client, key: str | None
) -> None:
    # Given an Api whose store is unreachable
    unbuildable.append(True)
    # When a request comes without a key, or with an unknown one
    status, body, _ = _send(client, "GET", "/things?name=a", key=key)
    # Then it is a 401, and nothing was built
    assert (status, body["error"]["code"]) == (401, "unauthorized")
    assert built == []


def test_a_known_caller_of_an_api_that_cannot_be_built_gets_a_500(client: Client) -> None:
    unbuildable.append(True)
    status, body, _ = _send(client, "GET", "/things?name=a")
    assert (status, body["error"]["code"]) == (500, "internal_error")


def test_the_identity_of_the_api_in_use_judges_its_callers(client: Client) -> None:
    # Given an Api in use whose keys differ from the settings'
    holder.use(FakeApi(Identity(("sub",), {"other-key-1": "bob"})))
    # When its key is sent, then bob calls; the settings' key is unknown to it
    assert _send(client, "GET", "/things?name=a", key="other-key-1")[2]["X-Caller"] == "bob"
    assert _send(client, "GET", "/things?name=a")[0] == 401


def test_a_mapped_error_is_its_status_and_anything_else_a_500_without_its_cause(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    assert _send(client, "GET", "/fail/gone")[:2] == (
        410,
        {"error": {"code": "gone", "message": "it went", "field": None}},
    )
    with caplog.at_level(logging.ERROR, logger="backbone.http.runtime"):
        status, body, _ = _send(client, "GET", "/fail/bug")
    assert status == 500 and "secret" not in json.dumps(body)
    assert body["error"]["message"] == "the test service could not answer; try again later"
    assert "GET /fail/{kind} failed" in caplog.text and "secret detail" in caplog.text


def test_a_public_action_needs_no_key_and_builds_nothing(client: Client) -> None:
    answer = client.http.get("/public")
    assert (answer.status_code, json.loads(answer.body)) == (200, {"path": "/public"})
    assert built == []


def test_an_api_error_of_a_public_action_is_its_answer(client: Client) -> None:
    answer = client.http.get("/public/missing")
    assert answer.status_code == 404
    assert json.loads(answer.body)["error"] == {
        "code": "not_here",
        "message": "no",
        "field": "name",
    }
