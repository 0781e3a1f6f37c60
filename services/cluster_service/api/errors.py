"""What the API answers when a request cannot be served: one status per error class, and a body
`{"error": {"code": ..., "message": ..., "field": ...}}` that names the field and what to fix.

| status | errors |
|---|---|
| 400 | invalid_request / malformed_json (pydantic), InvalidThresholds, InvalidClusterProfile |
| 401 | unauthorized (identity.py) |
| 404 | ProfileNotFound, ClusterNotFound |
| 409 | ProfileExists, Conflict |
| 413 | body_too_large |
| 405, 415 | Chalice's own answers, rewritten into the same body |
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from chalice.app import Request, Response
from pydantic import ValidationError

from cluster_service.application import Conflict, NotFound, ProfileExists
from cluster_service.domain.errors import InvalidClusterProfile, InvalidThresholds

ClientError = NotFound | ProfileExists | Conflict | InvalidThresholds | InvalidClusterProfile
STATUS: Final[Mapping[type[Exception], int]] = {
    NotFound: 404,
    ProfileExists: 409,
    Conflict: 409,
    InvalidThresholds: 400,
    InvalidClusterProfile: 400,
}
"""Each error class a client can cause, by its status (subclasses share their base's)."""

_HINTS: Final[Mapping[type[Exception], str]] = {
    NotFound: "GET /cluster-profiles lists the cluster profiles",
    ProfileExists: "GET /cluster-profiles/{name} shows it",
    Conflict: "another request changed it at the same time; send the request again",
}


class ApiError(Exception):
    """An answer other than success; `response()` renders it."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.details = details

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message, "field": self.field}
        return {"error": error | ({"details": self.details} if self.details else {})}

    def response(self, headers: Mapping[str, str | list[str]] | None = None) -> Response:
        return Response(self.body(), status_code=self.status, headers=dict(headers or {}))


def client_error(error: Exception) -> ApiError | None:
    """The ApiError of an application or domain error a client can cause; None otherwise."""
    cls = next((c for c in type(error).__mro__ if c in STATUS), None)
    if cls is None:
        return None
    hint = _HINTS.get(cls)
    message = f"{error}; {hint}" if hint else str(error)
    field = getattr(error, "field", None)
    return ApiError(STATUS[cls], snake_case(type(error).__name__), message, field)


def from_domain(error: Exception, field: str | None = None) -> ApiError:
    """As `client_error`, with `field` naming the request field; re-raises any other error."""
    answer = client_error(error)
    if answer is None:
        raise error
    answer.field = field or answer.field
    return answer


def from_validation(error: ValidationError) -> ApiError:
    """400 naming the first field pydantic refused; `details` lists every one."""
    details = [
        {"field": _path(e["loc"]), "message": _message(e)} for e in error.errors(include_url=False)
    ]
    first = error.errors(include_url=False)[0]
    code = "malformed_json" if first["type"] == "json_invalid" else "invalid_request"
    field, message = details[0]["field"], details[0]["message"]
    more = f" (and {len(details) - 1} more problem(s), see details)" if len(details) > 1 else ""
    text = f"{field}: {message}{more}" if field else f"{message}{more}"
    return ApiError(400, code, text, field, details if more else None)


def _path(loc: tuple[int | str, ...]) -> str | None:
    parts = [str(part) for part in loc if part != "[key]"]
    return ".".join(parts) or None


def _message(error: Any) -> str:
    kind, message = error["type"], str(error["msg"])
    if kind == "missing":
        return "is required; add it"
    if kind == "extra_forbidden":
        return "is not a field of this request; remove it (or check its spelling)"
    if kind == "json_invalid":
        return f"the body is not valid JSON ({error.get('ctx', {}).get('error', message)})"
    if kind in ("model_type", "model_attributes_type", "dict_type") and not error["loc"]:
        return "the body must be a JSON object"
    return message.removeprefix("Value error, ")


def snake_case(name: str) -> str:
    """ProfileNotFound -> profile_not_found."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


_CHALICE_HINTS: Final = {
    405: "use one of the methods in the Allow header",
    415: "send the body as Content-Type: application/json",
}


def envelope_chalice_errors(request: Request, get_response: Callable[[Request], Any]) -> Any:
    """Chalice middleware: Chalice's own answers ({"Code", "Message"}) in the API's body."""
    response = get_response(request)
    body = getattr(response, "body", None)
    if (
        isinstance(response, Response)
        and isinstance(body, dict)
        and set(body) == {"Code", "Message"}
    ):
        hint = _CHALICE_HINTS.get(response.status_code)
        message = f"{body['Message']}; {hint}" if hint else str(body["Message"])
        code = snake_case(str(body["Code"])).removesuffix("_error")
        error = ApiError(response.status_code, code, message)
        return error.response(headers=response.headers)
    return response
