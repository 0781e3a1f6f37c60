"""What an API answers when a request cannot be served: one status per error class, and a body
`{"error": {"code": ..., "message": ..., "field": ...}}` that names the field and what to fix.

`ErrorMap` maps the application's and domain's error classes a client can cause to statuses
(400 refused, 404 not found, 409 conflict, ...); anything else it leaves to the caller (a 500).
`from_validation` turns a pydantic ValidationError into a 400 naming the field, and
`envelope_chalice_errors` rewrites Chalice's own answers (405, 415, ...) into the same body.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from chalice.app import Request, Response
from pydantic import BaseModel, ConfigDict, ValidationError


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
        """{"error": {"code", "message", "field"[, "details"]}}."""
        error: dict[str, Any] = {"code": self.code, "message": self.message, "field": self.field}
        return {"error": error | ({"details": self.details} if self.details else {})}

    def response(self, headers: Mapping[str, str | list[str]] | None = None) -> Response:
        """The Chalice answer: `status`, the body, `headers`."""
        return Response(self.body(), status_code=self.status, headers=dict(headers or {}))


def internal_error(service: str) -> ApiError:
    """The 500 of an error no client caused; says nothing of its cause."""
    return ApiError(500, "internal_error", f"{service} could not answer; try again later")


def snake_case(name: str) -> str:
    """JobNotFound -> job_not_found."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def named_field(error: Exception) -> str | None:
    """The request field an error names in its `field` attribute, if it has one."""
    field = getattr(error, "field", None)
    return field if isinstance(field, str) else None


class ErrorMap:
    """Error classes a client can cause, by status; subclasses share their base's status."""

    def __init__(
        self,
        statuses: Mapping[type[Exception], int],
        hints: Mapping[type[Exception], str] | None = None,
        field_of: Callable[[Exception], str | None] = named_field,
    ) -> None:
        """`hints` add what to do next to the message; `field_of` names the request field."""
        self.statuses = dict(statuses)
        self.hints = dict(hints or {})
        self.field_of = field_of

    def answer(self, error: Exception) -> ApiError | None:
        """The ApiError of `error`, or None if no client can cause it."""
        cls = next((c for c in type(error).__mro__ if c in self.statuses), None)
        if cls is None:
            return None
        hint = self.hints.get(cls)
        message = f"{error}; {hint}" if hint else str(error)
        code = snake_case(type(error).__name__)
        return ApiError(self.statuses[cls], code, message, self.field_of(error))

    def answer_or_raise(self, error: Exception, field: str | None = None) -> ApiError:
        """As `answer`, `field` overriding the field it names; re-raises any other error."""
        answer = self.answer(error)
        if answer is None:
            raise error
        answer.field = field or answer.field
        return answer


def from_validation(error: ValidationError) -> ApiError:
    """400 naming the first field pydantic refused; `details` lists every one."""
    problems = error.errors(include_url=False)
    details = [{"field": _path(e["loc"]), "message": _message(e)} for e in problems]
    code = "malformed_json" if problems[0]["type"] == "json_invalid" else "invalid_request"
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


class _View(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)


class ErrorDetail(_View):
    field: str | None
    message: str


class ErrorInfo(_View):
    code: str
    """What went wrong, e.g. invalid_request, unauthorized, or the error class in snake_case."""
    message: str
    """What to fix, in words."""
    field: str | None
    """The request field (a dotted path), header or query parameter at fault, if one is."""
    details: list[ErrorDetail] | None = None
    """Every problem found, when the request had more than one."""


class ErrorBody(_View):
    """The body of every 4xx and 5xx answer."""

    error: ErrorInfo
