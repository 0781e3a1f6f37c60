"""The OpenAPI 3.1 document of the operators' REST API, from its models and the route table below.

`python -m cluster_service.api.openapi` writes services/cluster_service/openapi.json; `--check`
exits 1 if that file is stale. GET /openapi.json serves the same document. A test checks that
ROUTES names exactly the Chalice app's routes.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from cluster_service.api.identity import API_KEY_HEADER
from cluster_service.api.models import (
    ChangeThresholds,
    ClusterListQuery,
    CreateProfile,
    ProfileShape,
)
from cluster_service.api.views import (
    ClusterList,
    ErrorBody,
    PoolList,
    PoolView,
    ProfileCreated,
    ProfileList,
    ProfileView,
)

DOCUMENT_PATH: Final = Path(__file__).resolve().parent.parent / "openapi.json"
_REF: Final = "#/components/schemas/{model}"


@dataclass(frozen=True)
class Route:
    """One operation: its success answer and the error statuses it may give."""

    method: str
    path: str
    summary: str
    status: int
    answer: type[BaseModel] | None
    errors: tuple[int, ...] = (401,)
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    public: bool = False


_WRITE: Final = (400, 401, 413, 415)
ROUTES: Final = (
    Route("GET", "/openapi.json", "This document", 200, None, errors=(), public=True),
    Route("GET", "/cluster-profiles", "List cluster profiles", 200, ProfileList),
    Route("POST", "/cluster-profiles", "Register a cluster profile and its pool", 201,
          ProfileCreated, (*_WRITE, 409), CreateProfile),
    Route("GET", "/cluster-profiles/{name}", "Read a cluster profile", 200, ProfileView,
          (401, 404)),
    Route("PUT", "/cluster-profiles/{name}", "Change a cluster profile's shape", 200,
          ProfileView, (*_WRITE, 404, 409), ProfileShape),
    Route("GET", "/clusters", "List clusters, oldest first", 200, ClusterList, (400, 401, 404),
          query=ClusterListQuery),
    Route("GET", "/pools", "List pools", 200, PoolList),
    Route("GET", "/pools/{profile}", "Read a pool", 200, PoolView, (401, 404)),
    Route("PUT", "/pools/{profile}", "Change a pool's thresholds", 200, PoolView,
          (*_WRITE, 404, 409), ChangeThresholds),
)  # fmt: skip

_ERROR_TEXT: Final = {
    400: "The request is malformed or refused; error.field names what to fix",
    401: f"No {API_KEY_HEADER} header, or an unknown key",
    404: "No such cluster profile (or pool)",
    409: "The profile exists, or a concurrent change won; see error.code",
    413: "The body is larger than 256 KiB",
    415: "The body is not application/json",
}
_DESCRIPTION: Final = (
    "Operators register cluster profiles, read pools and clusters, and change pool thresholds. "
    "Every 4xx and 5xx answer has the body ErrorBody. Locally the operator is the owner of the "
    "X-Api-Key; on AWS the API's authorizer names it."
)


@functools.cache
def document() -> dict[str, Any]:
    """The OpenAPI document (built on first use, then kept)."""
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorBody, "serialization")]
    for route in ROUTES:
        models += [(route.body, "validation")] if route.body else []
        models += [(route.answer, "serialization")] if route.answer else []
    keys, schemas = models_json_schema(models, ref_template=_REF)
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, keys)
    return {
        "openapi": "3.1.0",
        "info": {"title": "cluster-service", "version": "1.0.0", "description": _DESCRIPTION},
        "servers": [{"url": "http://127.0.0.1:8002", "description": "chalice local"}],
        "security": [{"ApiKey": []}],
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {
                "ApiKey": {"type": "apiKey", "in": "header", "name": API_KEY_HEADER}
            },
        },
    }


def _operation(route: Route, keys: Any) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": route.summary,
        "operationId": _operation_id(route),
        "parameters": _parameters(route),
        "responses": {str(route.status): _success(route, keys)}
        | {str(status): _error(status, keys) for status in sorted(route.errors)},
    }
    if route.body is not None:
        schema = {"$ref": keys[(route.body, "validation")]["$ref"]}
        content = {"application/json": {"schema": schema}}
        operation["requestBody"] = {"required": True, "content": content}
    return operation | ({"security": []} if route.public else {})


def _operation_id(route: Route) -> str:
    words: list[str] = re.findall(
        r"[a-z]+", f"{route.method.lower()} {route.path.replace('{', 'by-')}"
    )
    return words[0] + "".join(word.title() for word in words[1:])


def _parameters(route: Route) -> list[dict[str, Any]]:
    params = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"\{(\w+)\}", route.path)
    ]
    if route.query is not None:
        schema = route.query.model_json_schema()
        required = set(schema.get("required", ()))
        for name, prop in schema["properties"].items():
            params.append(
                {"name": name, "in": "query", "required": name in required, "schema": prop}
            )
    return params


def _success(route: Route, keys: Any) -> dict[str, Any]:
    schema = {"type": "object"} if route.answer is None else keys[(route.answer, "serialization")]
    return {"description": route.summary, "content": {"application/json": {"schema": schema}}}


def _error(status: int, keys: Any) -> dict[str, Any]:
    schema = keys[(ErrorBody, "serialization")]
    return {"description": _ERROR_TEXT[status], "content": {"application/json": {"schema": schema}}}


def render() -> str:
    return json.dumps(document(), indent=2) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write (or --check) the API's openapi.json.")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = DOCUMENT_PATH.read_text() if DOCUMENT_PATH.exists() else ""
        if current != text:
            print(
                f"{DOCUMENT_PATH} is stale: run python -m cluster_service.api.openapi",
                file=sys.stderr,
            )
            return 1
        return 0
    DOCUMENT_PATH.write_text(text)
    print(f"wrote {DOCUMENT_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
