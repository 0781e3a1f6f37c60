"""The OpenAPI document: the fixed route set, the same routes as the Chalice app, valid, current."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate

from backbone.http.openapi import chalice_routes
from monitor_service.api.openapi import DOCUMENT_PATH, ROUTES, document, main
from monitor_service.app import app
from tests.monitor_service.api_support import ApiWorld

FIXED_ROUTES = {
    ("/openapi.json", "GET"),
    ("/health", "GET"),
    ("/metrics", "GET"),
    ("/audit/events", "GET"),
    ("/audit/jobs", "GET"),
    ("/audit/jobs/{job_id}", "GET"),
    ("/dashboard", "GET"),
    ("/dashboard/assets/{name}", "GET"),
    ("/dead-letters", "GET"),
    ("/dead-letters/redrive", "POST"),
}
"""The routes the deployment templates are written from: changing them changes the templates."""


def test_the_app_serves_exactly_the_fixed_routes_and_the_document_names_them() -> None:
    documented = {
        (path, method.upper()) for path, item in document()["paths"].items() for method in item
    }
    assert chalice_routes(app) == FIXED_ROUTES
    assert documented == FIXED_ROUTES == {(route.path, route.method) for route in ROUTES}
    assert all(route.action is not None for route in ROUTES), "one table serves and documents"


def test_the_document_is_valid_openapi() -> None:
    validate(document())


def test_the_committed_document_is_not_stale(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check"]) == 0, capsys.readouterr().err
    assert json.loads(DOCUMENT_PATH.read_text()) == document()


def test_the_document_and_the_dashboard_are_public_and_the_rest_is_not() -> None:
    public = {(r.path, r.method) for r in ROUTES if r.public}
    assert public == {
        ("/openapi.json", "GET"),
        ("/dashboard", "GET"),
        ("/dashboard/assets/{name}", "GET"),
    }
    with ApiWorld() as world:
        reply = world.get("/openapi.json", key=None)
    assert (reply.status, reply.body) == (200, document())


def test_the_query_parameters_are_documented_by_their_url_names() -> None:
    operation = document()["paths"]["/audit/events"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"from", "to", "type", "job_id", "tenant", "limit", "next_token", "as_of"}
    metrics = document()["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert set(metrics) == {"application/json", "text/plain", "application/openmetrics-text"}
