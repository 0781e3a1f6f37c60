"""A WSGI face for a Chalice app's test client, so schemathesis calls the app in process.

Chalice apps are not WSGI applications; chalice.test.Client runs one through Chalice's local
API Gateway emulation (`LocalGateway`), the same path the services' other API tests take. This
adapter turns a WSGI call into one such request and the answer back into a WSGI response.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from chalice.test import Client

DEFAULT_CONTENT_TYPE = "application/json"
"""What API Gateway's Lambda proxy and chalice's local server send when the app names no
Content-Type (chalice.test's client leaves it out)."""
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def wsgi_app(client: Client) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI application answering as `client`'s Chalice app does."""

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        # PATH_INFO is decoded (WSGI's latin-1 of the URL's bytes); Chalice wants the URL's path
        path = quote((environ.get("PATH_INFO") or "/").encode("latin-1").decode("utf-8"), "/")
        query = environ.get("QUERY_STRING") or ""
        headers = {
            name[5:].replace("_", "-").lower(): value
            for name, value in environ.items()
            if name.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        target = path + (f"?{query}" if query else "")
        answer = client.http.request(environ["REQUEST_METHOD"], target, headers=headers, body=body)
        raw = answer.body if isinstance(answer.body, bytes) else str(answer.body or "").encode()
        status = answer.status_code
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
        sent = {name.lower(): str(value) for name, value in answer.headers.items()}
        sent.setdefault("content-type", DEFAULT_CONTENT_TYPE)
        start_response(f"{status} {phrase}", list(sent.items()))
        return [raw]

    return application
