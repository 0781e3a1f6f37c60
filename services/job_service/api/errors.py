"""The job API's error answers: one status per error class a client can cause, a hint of what
to do next, and the request field each error is about (backbone.http.errors renders them).

| status | errors |
|---|---|
| 400 | invalid_request, malformed_json (pydantic), ProfileError & co, InvalidJob, TenantError |
| 401 | unauthorized (backbone.http.identity) |
| 403 | forbidden (an operator's route, or jobs for an operator), NotAllowed (a tenant's terms) |
| 404 | JobNotFound (another's job too, same body), ProfileNotFound, TenantNotFound, KeyNotFound |
| 409 | Conflict, ProfileExists, TenantExists, IllegalTransition |
| 422 | IdempotencyKeyReused (the key's first request had another body) |
| 429 | OverQuota (with Retry-After) |
| 413 | body_too_large |
| 405, 415 | Chalice's own answers, rewritten into the same body |
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from backbone.http.errors import ErrorMap
from job_service.application import (
    Conflict,
    IdempotencyKeyReused,
    JobNotFound,
    ProfileExists,
    ProfileNotFound,
    TenantExists,
    TenantNotFound,
)
from job_service.domain import (
    IllegalTransition,
    InvalidJob,
    InvalidParameter,
    InvalidTemplate,
    KeyNotFound,
    MissingParameter,
    PriorityNotAllowed,
    ProfileError,
    TenantError,
    UnknownParameter,
)
from job_service.domain.admission import NotAllowed, OverQuota, Refused

STATUS: Final[Mapping[type[Exception], int]] = {
    JobNotFound: 404,
    ProfileNotFound: 404,
    TenantNotFound: 404,
    KeyNotFound: 404,
    NotAllowed: 403,
    OverQuota: 429,
    Conflict: 409,
    TenantExists: 409,
    ProfileExists: 409,
    IllegalTransition: 409,
    IdempotencyKeyReused: 422,
    ProfileError: 400,
    InvalidJob: 400,
    TenantError: 400,
}
"""Each error class the API can meet, by its status (subclasses share their base's)."""

_HINTS: Final[Mapping[type[Exception], str]] = {
    JobNotFound: "GET /jobs lists your jobs",
    ProfileNotFound: "GET /job-profiles lists the job profiles",
    Conflict: "another request changed it at the same time; send the request again",
    ProfileExists: "PUT /job-profiles/{name} changes it",
    IllegalTransition: "GET the job to see its status",
    TenantNotFound: "GET /tenants lists the tenants",
    KeyNotFound: "GET /tenants/{tenant_id} lists its active keys",
    TenantExists: "PATCH /tenants/{tenant_id} changes it",
}
_LEADING_FIELD: Final = re.compile(r"^(?:a job (?:profile's )?)?([a-z_]+) must\b")
"""The field a domain message begins with: "cluster_profile must ...", "a job name must ..."."""


def field_of(error: Exception) -> str | None:
    """The request field a domain error is about, where it says."""
    if isinstance(error, MissingParameter | UnknownParameter):
        return f"parameters.{error.names[0]}" if error.names else "parameters"
    if isinstance(error, InvalidParameter):
        return f"parameters.{error.name}"
    if isinstance(error, PriorityNotAllowed):
        return "priority"
    if isinstance(error, Refused):
        return error.limit if error.limit == "allowed_priorities" else f"quotas.{error.limit}"
    if isinstance(error, InvalidTemplate):
        return "step_template.args"
    if isinstance(error, IdempotencyKeyReused):
        return "Idempotency-Key"
    match = _LEADING_FIELD.match(str(error))
    return match.group(1) if match else None


ERRORS: Final = ErrorMap(STATUS, _HINTS, field_of)
