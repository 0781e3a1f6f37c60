"""The OpenAPI document: valid, from the route table the Chalice app serves, and not stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from backbone.http.openapi import chalice_routes
from cluster_service.api.openapi import DOCUMENT_PATH, ROUTES, document, main
from cluster_service.app import app
from tests.cluster_service.api_support import ApiWorld


def test_the_app_and_the_document_are_served_from_one_route_table() -> None:
    documented = {
        (path, method.upper()) for path, item in document()["paths"].items() for method in item
    }
    table = {(route.path, route.method) for route in ROUTES}
    assert documented == chalice_routes(app) == table
    assert all(route.action is not None for route in ROUTES)


def test_the_document_is_valid_openapi() -> None:
    validate(document())


def test_the_committed_document_is_not_stale(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check"]) == 0, capsys.readouterr().err
    assert json.loads(DOCUMENT_PATH.read_text()) == document()


def test_the_document_is_served_without_a_key() -> None:
    with ApiWorld() as world:
        reply = world.request("GET", "/openapi.json", key=None)
    assert (reply.status, reply.body) == (200, document())


def test_a_stale_document_fails_the_check_and_is_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "openapi.json"
    path.write_text("{}\n")
    monkeypatch.setattr("cluster_service.api.openapi.DOCUMENT_PATH", path)
    assert main(["--check"]) == 1
    assert main([]) == 0
    assert main(["--check"]) == 0
