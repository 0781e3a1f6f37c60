"""`plan --apply`: one PUT /pools/{profile} per profile, with the operator key, then its
MINIMUM schedule (PUT) or none (DELETE)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest

from simulator.apply import ApplyError, apply_settings


class _Pools(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str, str, dict[str, Any] | None]]] = []
    status = 200

    def do_PUT(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self._answer("PUT", body)

    def do_DELETE(self) -> None:
        self._answer("DELETE", None)

    def _answer(self, method: str, body: dict[str, Any] | None) -> None:
        self.seen.append((method, self.path, self.headers["X-Api-Key"], body))
        self.send_response(self.status)
        self.end_headers()
        self.wfile.write(b'{"message": "minimum must be <= maximum"}')

    def log_message(self, *args: Any) -> None:
        pass


def _serve(status: int) -> tuple[HTTPServer, str]:
    _Pools.seen, _Pools.status = [], status
    server = HTTPServer(("127.0.0.1", 0), _Pools)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


RECOMMENDED = {
    "small": {"minimum": 1, "maximum": 4, "idle_ttl_seconds": 900, "schedule": None},
    "large": {"minimum": 0, "maximum": 2, "idle_ttl_seconds": 300, "schedule": [0, 2] * 84},
}


def test_each_profile_gets_one_put_of_its_limits_with_the_key() -> None:
    server, url = _serve(200)
    try:
        lines = list(apply_settings(url, "k", RECOMMENDED))
    finally:
        server.shutdown()
    assert _Pools.seen == [
        ("PUT", "/pools/small", "k", {"minimum": 1, "maximum": 4, "idle_ttl_seconds": 900}),
        ("DELETE", "/pools/small/schedule", "k", None),
        ("PUT", "/pools/large", "k", {"minimum": 0, "maximum": 2, "idle_ttl_seconds": 300}),
        ("PUT", "/pools/large/schedule", "k", {"time_zone": "UTC", "minimum": [0, 2] * 84}),
    ]
    assert "no MINIMUM schedule" in lines[0]
    assert "MINIMUM schedule (UTC, peak 2)" in lines[1]


def test_a_refusal_or_no_answer_is_an_apply_error() -> None:
    server, url = _serve(400)
    try:
        with pytest.raises(ApplyError, match=r"PUT /pools/small: HTTP 400 .*minimum must be"):
            list(apply_settings(url, "k", RECOMMENDED))
    finally:
        server.shutdown()
    with pytest.raises(ApplyError, match="cannot reach"):
        list(apply_settings("http://127.0.0.1:9", "k", RECOMMENDED, timeout=2))
