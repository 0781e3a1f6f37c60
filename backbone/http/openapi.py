"""An OpenAPI 3.1 document from an API's route table and its pydantic models.

A service describes its API once (`Description`: title, server, routes, what each error status
means, and for each route the action that serves it); `document(description)` builds the
document, `backbone.http.routes.register_routes` serves the same routes on the Chalice app,
`write_or_check` keeps the service's openapi.json in step with it (a CLI: `--check` exits 1 if
the file is stale), and `chalice_routes(app)` lists what a Chalice app serves.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from chalice.app import Chalice
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from backbone.http.errors import ErrorBody
from backbone.http.identity import API_KEY_HEADER
from backbone.http.runtime import MAX_BODY_BYTES

JSON: Final = "application/json"
_REF: Final = "#/components/schemas/{model}"
ERROR_TEXT: Final = {
    400: "The request is malformed or refused; error.field names what to fix",
    401: f"No {API_KEY_HEADER} header, or an unknown key",
    413: f"The body is larger than {MAX_BODY_BYTES // 1024} KiB",
    415: "The body is not application/json",
}
"""What the statuses every API may answer mean, unless its Description says otherwise."""


@dataclass(frozen=True)
class Route:
    """One operation: its success answer and the error statuses it may give."""

    method: str
    path: str
    summary: str
    status: int
    answer: type[BaseModel] | None
    """The JSON answer's model; None: any object, or a string for other media types."""
    errors: tuple[int, ...] = (401,)
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    headers: tuple[str, ...] = ()
    header_patterns: tuple[tuple[str, str], ...] = ()
    """(header, regular expression its whole value must match), for headers of `headers` that
    the action checks: the document says what it refuses."""
    path_patterns: tuple[tuple[str, str], ...] = ()
    """(path parameter, regular expression its whole value must match), for a parameter the
    action refuses with a 400 off that pattern (not one it answers 404 for)."""
    public: bool = False
    """Served without a key."""
    media_types: tuple[str, ...] = (JSON,)
    """What the success answer may be, as negotiated."""
    action: Callable[..., Any] | None = None
    """What serves the route: `action(call, *path_params)`, or for a public route
    `action(request, *path_params)`; `register_routes` refuses a route without one."""

    @property
    def path_params(self) -> tuple[str, ...]:
        """The path's parameters, in order: ("job_id",) for /jobs/{job_id}."""
        return tuple(re.findall(r"\{(\w+)\}", self.path))


@dataclass(frozen=True)
class Description:
    title: str
    description: str
    server_url: str
    routes: tuple[Route, ...]
    error_text: Mapping[int, str] = field(default_factory=dict)
    """What each error status means in this API, beside (or instead of) ERROR_TEXT's."""
    version: str = "1.0.0"


def document(api: Description) -> dict[str, Any]:
    """The OpenAPI document of `api`; every 4xx and 5xx answer has the body ErrorBody."""
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorBody, "serialization")]
    for route in api.routes:
        models += [(route.body, "validation")] if route.body else []
        models += [(route.answer, "serialization")] if route.answer else []
    keys, schemas = models_json_schema(models, ref_template=_REF)
    paths: dict[str, dict[str, Any]] = {}
    for route in api.routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(api, route, keys)
    return {
        "openapi": "3.1.0",
        "info": {"title": api.title, "version": api.version, "description": api.description},
        "servers": [{"url": api.server_url, "description": "chalice local"}],
        "security": [{"ApiKey": []}],
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {
                "ApiKey": {"type": "apiKey", "in": "header", "name": API_KEY_HEADER}
            },
        },
    }


def _operation(api: Description, route: Route, keys: Any) -> dict[str, Any]:
    error_schema = keys[(ErrorBody, "serialization")]
    operation: dict[str, Any] = {
        "summary": route.summary,
        "operationId": operation_id(route),
        "parameters": _parameters(route),
        "responses": {str(route.status): _success(route, keys)}
        | {
            str(status): {
                "description": {**ERROR_TEXT, **api.error_text}[status],
                "content": {JSON: {"schema": error_schema}},
            }
            for status in sorted(route.errors)
        },
    }
    if route.body is not None:
        schema = {"$ref": keys[(route.body, "validation")]["$ref"]}
        operation["requestBody"] = {"required": True, "content": {JSON: {"schema": schema}}}
    return operation | ({"security": []} if route.public else {})


def operation_id(route: Route) -> str:
    """GET /audit/jobs/{job_id} -> getAuditJobsByJobId."""
    words: list[str] = re.findall(
        r"[a-z]+", f"{route.method.lower()} {route.path.replace('{', 'by-')}"
    )
    return words[0] + "".join(word.title() for word in words[1:])


def _parameters(route: Route) -> list[dict[str, Any]]:
    in_path = dict(route.path_patterns)
    params = [
        {"name": name, "in": "path", "required": True, "schema": _text(in_path.get(name))}
        for name in route.path_params
    ]
    patterns = dict(route.header_patterns)
    params += [
        {"name": name, "in": "header", "required": False, "schema": _text(patterns.get(name))}
        for name in route.headers
    ]
    if route.query is not None:
        schema = route.query.model_json_schema()
        required = set(schema.get("required", ()))
        for name, prop in schema["properties"].items():
            params.append(
                {"name": name, "in": "query", "required": name in required, "schema": prop}
            )
    return params


def _text(pattern: str | None) -> dict[str, Any]:
    """A string's schema; with `pattern`, one its whole value must match."""
    return {"type": "string"} if pattern is None else {"type": "string", "pattern": f"^{pattern}$"}


def _success(route: Route, keys: Any) -> dict[str, Any]:
    content = {}
    for media in route.media_types:
        if media == JSON:
            schema = (
                {"type": "object"}
                if route.answer is None
                else keys[(route.answer, "serialization")]
            )
        else:
            schema = {"type": "string"}
        content[media] = {"schema": schema}
    return {"description": route.summary, "content": content}


UNROUTED_PREFIX: Final = "unrouted_"
"""The path parameters of the fallback routes that answer an unknown path (routes.py)."""


def is_fallback(path: str) -> bool:
    """Whether `path` is a fallback route's (no route of any table starts with a parameter
    of that name)."""
    return path.startswith("/{" + UNROUTED_PREFIX)


def chalice_routes(app: Chalice) -> set[tuple[str, str]]:
    """(path, method) of every route the app serves, its fallbacks for unknown paths aside
    (they answer 404 and are no route of the API)."""
    return {
        (path, method)
        for path, methods in app.routes.items()
        if not is_fallback(path)
        for method in methods
    }


def render(doc: Mapping[str, Any]) -> str:
    """The document as the committed file holds it (indented JSON and a newline)."""
    return json.dumps(doc, indent=2) + "\n"


def write_or_check(
    argv: Sequence[str] | None, path: Path, doc: Callable[[], Mapping[str, Any]], module: str
) -> int:
    """The CLI of `python -m <module>`: write `path`, or with --check exit 1 if it is stale."""
    parser = argparse.ArgumentParser(description="Write (or --check) the API's openapi.json.")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = render(doc())
    if args.check:
        current = path.read_text() if path.exists() else ""
        if current != text:
            print(f"{path} is stale: run python -m {module}", file=sys.stderr)
            return 1
        return 0
    path.write_text(text)
    print(f"wrote {path}")
    return 0
