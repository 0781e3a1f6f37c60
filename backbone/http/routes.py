"""A service's route table served on its Chalice app: routes are declared once.

Each service's `api/openapi.py` lists its routes (`Route`, with the action that serves each);
the same table feeds the OpenAPI document and, through `register_routes`, the Chalice app. A
view per route is made here: Chalice calls it with the path's parameters as keyword arguments,
and it hands the request to the Server (`serve`, or `serve_public` for a public route), which
calls the route's action with the path's parameters in order. `chalice_app` makes a service's
whole app (its module-level `app`, which SAM, chalice.test and the local runner import).

A path no route has is a 404 in the API's error envelope, not Chalice's (and API Gateway's)
403 `Missing Authentication Token`: `chalice_app` adds fallback routes, `/{unrouted_1}` up to
UNROUTED_DEPTH segments deep, every method, which Chalice's router tries after every real route
(it sorts paths, and `{` sorts after every character of a real path's literal segments). A known
path with a method it does not serve stays Chalice's 405. The fallbacks serve chalice.test and
the local runner; deployed, API Gateway routes only the template's paths and answers the rest
itself, with the same 404 (each template's GatewayResponse for MISSING_AUTHENTICATION_TOKEN).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from chalice.app import Chalice, Request, Response

from backbone.http.errors import ApiError, envelope_chalice_errors
from backbone.http.openapi import UNROUTED_PREFIX, Route, operation_id
from backbone.http.runtime import Server


def chalice_app(name: str, server: Server[Any, Any], routes: Iterable[Route]) -> Chalice:
    """A service's Chalice app: `routes` served by `server`, and Chalice's own error answers
    (404, 405, ...) in the API's error envelope."""
    app = Chalice(app_name=name)
    app.register_middleware(envelope_chalice_errors, "http")
    register_routes(app, server, routes)
    register_fallbacks(app)
    return app


UNROUTED_DEPTH: Final = 8
"""Path segments up to which an unknown path gets the API's 404 (deeper ones: Chalice's 403)."""
_METHODS: Final = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def fallback_paths() -> list[str]:
    """`/{unrouted_1}`, `/{unrouted_1}/{unrouted_2}`, ...: paths of 1..UNROUTED_DEPTH segments."""
    segments = [f"{{{UNROUTED_PREFIX}{n}}}" for n in range(1, UNROUTED_DEPTH + 1)]
    return ["/" + "/".join(segments[:depth]) for depth in range(1, UNROUTED_DEPTH + 1)]


def register_fallbacks(app: Chalice) -> None:
    """Answer every path no route of `app` has with a 404 in the API's error envelope."""

    def no_route(**params: str) -> Response:
        request = _request(app)
        path = request.context.get("path") or "/" + "/".join(params.values())
        message = f"no route {request.method} {path}; GET /openapi.json lists the routes"
        return ApiError(404, "not_found", message).response()

    for depth, path in enumerate(fallback_paths(), start=1):
        app.route(path, methods=_METHODS, name=f"{UNROUTED_PREFIX}{depth}")(no_route)


def register_routes(app: Chalice, server: Server[Any, Any], routes: Iterable[Route]) -> None:
    """Serve each route on `app`; its view is named after its operation id (unique per API)."""
    for route in routes:
        name = operation_id(route)
        app.route(route.path, methods=[route.method], name=name)(_view(app, server, route))


def _view(app: Chalice, server: Server[Any, Any], route: Route) -> Callable[..., Response]:
    action, names = route.action, route.path_params
    if action is None:
        raise ValueError(f"{route.method} {route.path} names no action to serve it")
    serve = server.serve_public if route.public else server.serve

    def view(**params: str) -> Response:
        return serve(_request(app), action, *(params[name] for name in names))

    view.__name__ = view.__qualname__ = operation_id(route)
    return view


def _request(app: Chalice) -> Request:
    request = app.current_request
    assert request is not None, "only a route may ask for the current request"
    return request


def document_route(document: Callable[[], Mapping[str, Any]]) -> Route:
    """GET /openapi.json: the API's own document, public."""

    def serve_document(request: Request) -> Response:
        return Response(dict(document()))

    return Route(
        "GET",
        "/openapi.json",
        "This document",
        200,
        None,
        errors=(),
        public=True,
        action=serve_document,
    )
