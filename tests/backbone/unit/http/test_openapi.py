"""The OpenAPI document of a small API: valid, with every media type, and kept in its file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from chalice.app import Chalice, Response
from openapi_spec_validator import validate
from pydantic import BaseModel

from backbone.http.openapi import (
    ERROR_TEXT,
    Description,
    Route,
    chalice_routes,
    document,
    operation_id,
    write_or_check,
)


class Item(BaseModel):
    name: str


class ItemQuery(BaseModel):
    limit: int = 10
    kind: str


ROUTES = (
    Route("GET", "/items", "List items", 200, Item, (400, 401), query=ItemQuery),
    Route(
        "POST",
        "/items",
        "Add an item",
        201,
        Item,
        (400, 401, 413),
        body=Item,
        headers=("Idempotency-Key",),
    ),
    Route(
        "GET",
        "/items/{item_id}/text",
        "An item as text",
        200,
        None,
        (401,),
        media_types=("application/json", "text/plain"),
    ),
    Route("GET", "/page", "A page", 200, None, (), public=True, media_types=("text/html",)),
)
API = Description("items", "Items.", "http://127.0.0.1:9", ROUTES, {400: "Bad", 401: "No key"})


def test_the_document_is_valid_openapi_with_each_routes_parts() -> None:
    doc = document(API)
    validate(doc)
    listing = doc["paths"]["/items"]["get"]
    assert [(p["name"], p["in"], p["required"]) for p in listing["parameters"]] == [
        ("limit", "query", False),
        ("kind", "query", True),
    ]
    assert set(listing["responses"]) == {"200", "400", "401"}
    assert doc["paths"]["/items"]["post"]["requestBody"]["required"] is True
    text = doc["paths"]["/items/{item_id}/text"]["get"]["responses"]["200"]["content"]
    assert text == {
        "application/json": {"schema": {"type": "object"}},
        "text/plain": {"schema": {"type": "string"}},
    }
    page = doc["paths"]["/page"]["get"]
    assert page["security"] == [] and set(page["responses"]) == {"200"}
    assert "ErrorBody" in doc["components"]["schemas"]


def test_an_api_says_what_its_errors_mean_beside_the_standard_texts() -> None:
    responses = document(API)["paths"]["/items"]["post"]["responses"]
    assert [responses[status]["description"] for status in ("400", "401", "413")] == [
        "Bad",
        "No key",
        ERROR_TEXT[413],
    ]


def test_operation_ids() -> None:
    assert [operation_id(route) for route in ROUTES] == [
        "getItems",
        "postItems",
        "getItemsByItemIdText",
        "getPage",
    ]


def test_chalice_routes_lists_every_method_of_every_path() -> None:
    app = Chalice(app_name="x")

    @app.route("/a", methods=["GET", "PUT"])
    def a() -> Response:
        return Response({})

    assert chalice_routes(app) == {("/a", "GET"), ("/a", "PUT")}


def test_a_stale_file_fails_the_check_and_is_rewritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "openapi.json"
    path.write_text("{}\n")
    assert write_or_check(["--check"], path, lambda: document(API), "items.openapi") == 1
    assert "python -m items.openapi" in capsys.readouterr().err
    assert write_or_check([], path, lambda: document(API), "items.openapi") == 0
    assert write_or_check(["--check"], path, lambda: document(API), "items.openapi") == 0
    assert json.loads(path.read_text()) == document(API)
