"""A JSON client of one service's REST API over urllib, errors as CliErrors with exit codes."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import quote, urlencode

from cli.exits import SERVER_ERROR, ApiError, CliError, Unreachable
from cli.settings import Endpoint

TIMEOUT_SECONDS: Final = 15.0
USER_AGENT: Final = "jobctl/0.1"
Query = Mapping[str, str | int | None]
NO_ROUTE: Final = {"message": "Missing Authentication Token"}
"""What API Gateway (and `chalice local`) answer, as a 403, for a route that does not exist."""


class ServiceClient:
    """Requests to one service, each carrying the endpoint's key in X-Api-Key."""

    def __init__(self, endpoint: Endpoint, timeout: float = TIMEOUT_SECONDS) -> None:
        self.endpoint = endpoint
        self.timeout = timeout

    def get(self, path: str, query: Query | None = None) -> Any:
        return self.request("GET", path, query=query)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        query: Query | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """The JSON the API answered with; ApiError for a 4xx/5xx, Unreachable if none came."""
        request = self._build(method, path, body, query, headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return self._json(answer.status, answer.read())
        except urllib.error.HTTPError as error:
            raw = error.read()
            body, status = _loads(raw), error.code
            if status == 403 and body == NO_ROUTE:
                body, status = None, 404
                raw = f"it has no route {method} {path.split('?')[0]}".encode()
            raise ApiError(self.service, status, body, _text(raw, error)) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            reason = getattr(error, "reason", error)
            raise Unreachable(
                f"the {self.service} does not answer at {self.endpoint.url} ({reason}); "
                "is the platform running? (`make run`)"
            ) from None

    @property
    def service(self) -> str:
        return self.endpoint.service

    def _build(
        self,
        method: str,
        path: str,
        body: Any,
        query: Query | None,
        headers: Mapping[str, str] | None,
    ) -> urllib.request.Request:
        url = self.endpoint.url + path
        given = {k: str(v) for k, v in (query or {}).items() if v is not None}
        if given:
            url += "?" + urlencode(given)
        sent = {
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            "X-Api-Key": self.endpoint.require_key(),
        }
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        return urllib.request.Request(
            url, data=data, headers=sent | dict(headers or {}), method=method
        )

    def _json(self, status: int, raw: bytes) -> Any:
        if not raw:
            return None
        parsed = _loads(raw)
        if parsed is None:
            message = f"the {self.service} answered {status} with a body that is not JSON"
            raise CliError(f"{message}: {raw[:200]!r}", SERVER_ERROR)
        return parsed


def segment(value: str) -> str:
    """`value` quoted as one path segment (a job id or a name typed by the user)."""
    return quote(value, safe="")


def _loads(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


def _text(raw: bytes, error: urllib.error.HTTPError) -> str:
    text = raw.decode("utf-8", "replace").strip()
    return text[:200] if text else str(error.reason)
