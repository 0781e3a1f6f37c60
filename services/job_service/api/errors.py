"""What the API answers when a request cannot be served: one status per error class, and a body
`{"error": {"code": ..., "message": ..., "field": ...}}` that names the field and what to fix.

| status | errors |
|---|---|
| 400 | invalid_request / malformed_json (pydantic), ProfileError and its family, InvalidJob |
| 401 | unauthorized (identity.py) |
| 404 | JobNotFound, ProfileNotFound (another tenant's job too, with the same body) |
| 409 | Conflict, ProfileExists, IllegalTransition |
| 413 | body_too_large |
| 405, 415 | Chalice's own answers, rewritten into the same body |
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from chalice.app import Request, Response
from pydantic import ValidationError

from job_service.application import Conflict, JobNotFound, ProfileExists, ProfileNotFound
from job_service.domain import (
    IllegalTransition,
    InvalidJob,
    InvalidParameter,
    InvalidTemplate,
    JobServiceError,
    MissingParameter,
    PriorityNotAllowed,
    ProfileError,
    UnknownParameter,
)

STATUS: Final[Mapping[type[JobServiceError], int]] = {
    JobNotFound: 404,
    ProfileNotFound: 404,
    Conflict: 409,
    ProfileExists: 409,
    IllegalTransition: 409,
    ProfileError: 400,
    InvalidJob: 400,
}
"""Each error class the API can meet, by its status (subclasses share their base's)."""

_HINTS: Final[Mapping[type[JobServiceError], str]] = {
    JobNotFound: "GET /jobs lists your jobs",
    ProfileNotFound: "GET /job-profiles lists the job profiles",
    Conflict: "another request changed it at the same time; send the request again",
    ProfileExists: "PUT /job-profiles/{name} changes it",
    IllegalTransition: "GET the job to see its status",
}
_LEADING_FIELD: Final = re.compile(r"^(?:a job (?:profile's )?)?([a-z_]+) must\b")
"""The field a domain message begins with: "cluster_profile must ...", "a job name must ..."."""


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


def from_domain(error: JobServiceError, field: str | None = None) -> ApiError:
    """The ApiError of an application or domain error; `field` overrides the one it names."""
    cls = next((c for c in type(error).__mro__ if c in STATUS), None)
    if cls is None:
        raise error  # not an error a client can cause: a 500
    hint = _HINTS.get(cls)
    message = f"{error}; {hint}" if hint else str(error)
    return ApiError(
        STATUS[cls], snake_case(type(error).__name__), message, field or field_of(error)
    )


def field_of(error: JobServiceError) -> str | None:
    """The request field a domain error is about, where it says."""
    if isinstance(error, MissingParameter | UnknownParameter):
        return f"parameters.{error.names[0]}" if error.names else "parameters"
    if isinstance(error, InvalidParameter):
        return f"parameters.{error.name}"
    if isinstance(error, PriorityNotAllowed):
        return "priority"
    if isinstance(error, InvalidTemplate):
        return "step_template.args"
    match = _LEADING_FIELD.match(str(error))
    return match.group(1) if match else None


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
    """JobNotFound -> job_not_found."""
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
