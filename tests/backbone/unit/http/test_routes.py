"""One route table serves the Chalice app and the OpenAPI document (backbone.http.routes)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from chalice.app import Chalice, Request, Response
from chalice.test import Client

from backbone.http.errors import ErrorMap
from backbone.http.identity import Identity
from backbone.http.openapi import Description, Route, chalice_routes, document
from backbone.http.routes import document_route, register_routes
from backbone.http.runtime import ApiHolder, Call, Server

KEY = "route-key-1"


@dataclass
class FakeApi:
    identity: Identity


def echo(call: Call[FakeApi], *params: str) -> Response:
    return Response({"principal": call.principal, "params": list(params)})


def page(request: Request, *params: str) -> Response:
    return Response({"public": True, "params": list(params)})


def served(routes: tuple[Route, ...]) -> Chalice:
    identity = Identity(("sub",), {KEY: "ann"})
    holder: ApiHolder[FakeApi] = ApiHolder(lambda: FakeApi(identity), lambda: identity)
    app = Chalice(app_name="routes-test")
    register_routes(app, Server(holder, Call[FakeApi], ErrorMap({}), "the test"), routes)
    return app


DESCRIPTION = Description("t", "d", "http://x", ())
ROUTES = (
    document_route(lambda: document(DESCRIPTION)),
    Route("GET", "/a/{x}/b/{y}", "Two params", 200, None, action=echo),
    Route("PUT", "/a/{x}/b/{y}", "Same path, other method", 200, None, action=echo),
    Route("GET", "/things", "None", 200, None, action=echo),
    Route("GET", "/pages/{name}", "Public", 200, None, errors=(), public=True, action=page),
)


def get(app: Chalice, method: str, path: str, key: str | None = KEY) -> tuple[int, Any]:
    with Client(app) as client:
        headers = {"X-Api-Key": key} if key else {}
        reply = client.http.request(method, path, headers=headers)
    return reply.status_code, json.loads(reply.body)


def test_the_app_serves_exactly_the_table() -> None:
    app = served(ROUTES)
    assert chalice_routes(app) == {(route.path, route.method) for route in ROUTES}


def test_path_params_reach_the_action_in_path_order() -> None:
    app = served(ROUTES)
    assert get(app, "GET", "/a/1/b/2") == (200, {"principal": "ann", "params": ["1", "2"]})
    assert get(app, "PUT", "/a/3/b/4") == (200, {"principal": "ann", "params": ["3", "4"]})
    assert get(app, "GET", "/things") == (200, {"principal": "ann", "params": []})


def test_a_public_route_needs_no_key_and_the_others_do() -> None:
    app = served(ROUTES)
    assert get(app, "GET", "/pages/p", key=None) == (200, {"public": True, "params": ["p"]})
    assert get(app, "GET", "/openapi.json", key=None) == (200, document(DESCRIPTION))
    assert get(app, "GET", "/things", key=None)[0] == 401


def test_each_view_has_its_own_name() -> None:
    app = served(ROUTES)
    names = [entry.view_name for methods in app.routes.values() for entry in methods.values()]
    assert len(names) == len(set(names)) == len(ROUTES)


def test_a_route_without_an_action_is_refused() -> None:
    with pytest.raises(ValueError, match="GET /nowhere names no action"):
        served((Route("GET", "/nowhere", "Unserved", 200, None),))
