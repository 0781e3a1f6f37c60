"""jobctl against an API without a route it asks for: a 404 in the API's error envelope, or the
403 `Missing Authentication Token` of an API Gateway deployed without the template's
GatewayResponse, is "not found" (exit 3) either way, never "unauthorized" (exit 4)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cli.exits import AUTH, NOT_FOUND, ApiError
from cli.http import ServiceClient
from cli.settings import Endpoint


def _serving(status: int, body: dict[str, Any]) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


NO_ROUTE_404 = {"error": {"code": "not_found", "message": "no route GET /nope", "field": None}}
GATEWAY_403 = {"message": "Missing Authentication Token"}


@pytest.mark.parametrize(("status", "body"), [(404, NO_ROUTE_404), (403, GATEWAY_403)])
def test_a_missing_route_is_not_found(status: int, body: dict[str, Any]) -> None:
    for url in _serving(status, body):
        client = ServiceClient(Endpoint("monitor service", url, "k", "--monitor-key"))
        with pytest.raises(ApiError) as refused:
            client.get("/nope")
        assert refused.value.exit_code == NOT_FOUND != AUTH
        assert "no route GET /nope" in refused.value.message
