"""The OpenAPI 3.1 document of the REST API, from its models and the route table below.

`python -m job_service.api.openapi` writes services/job_service/openapi.json; `--check`
exits 1 if that file is stale. GET /openapi.json serves the same document. ROUTES also names
the action serving each route: app.py serves exactly this table (register_routes).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from backbone.http.openapi import Description, Route, write_or_check
from backbone.http.openapi import document as build
from backbone.http.routes import document_route
from job_service.api import jobs, profiles, tenants
from job_service.api.jobs import IDEMPOTENCY_KEY, IDEMPOTENCY_KEY_PATTERN
from job_service.api.models import CreateProfile, JobListQuery, SubmitJob, UpdateProfile
from job_service.api.views import (
    JobAccepted,
    JobHistory,
    JobPage,
    JobView,
    ProfileList,
    ProfileView,
)

DOCUMENT_PATH: Final = Path(__file__).resolve().parent.parent / "openapi.json"


@functools.cache
def document() -> dict[str, Any]:
    """The OpenAPI document (built on first use, then kept)."""
    return build(DESCRIPTION)


_WRITE: Final = (400, 401, 413, 415)
ROUTES: Final = (
    document_route(document),
    Route(
        "POST",
        "/jobs",
        "Submit a job",
        202,
        JobAccepted,
        (*_WRITE, 403, 404, 422, 429),
        SubmitJob,
        headers=(IDEMPOTENCY_KEY,),
        header_patterns=((IDEMPOTENCY_KEY, IDEMPOTENCY_KEY_PATTERN),),
        action=jobs.submit,
    ),
    Route(
        "GET",
        "/jobs",
        "List your jobs, newest first",
        200,
        JobPage,
        (400, 401, 403),
        query=JobListQuery,
        action=jobs.list_jobs,
    ),
    Route("GET", "/jobs/{job_id}", "Read a job", 200, JobView, (401, 403, 404), action=jobs.get),
    Route(
        "DELETE",
        "/jobs/{job_id}",
        "Cancel a job",
        200,
        JobView,
        (401, 403, 404, 409),
        action=jobs.cancel,
    ),
    Route(
        "GET",
        "/jobs/{job_id}/history",
        "A job's stored events",
        200,
        JobHistory,
        (401, 403, 404),
        action=jobs.history,
    ),
    Route(
        "GET",
        "/job-profiles",
        "List job profiles",
        200,
        ProfileList,
        (401,),
        action=profiles.list_profiles,
    ),
    Route(
        "POST",
        "/job-profiles",
        "Create a job profile (operators)",
        201,
        ProfileView,
        (*_WRITE, 403, 409),
        CreateProfile,
        action=profiles.create,
    ),
    Route(
        "GET",
        "/job-profiles/{name}",
        "Read a job profile",
        200,
        ProfileView,
        (401, 404),
        action=profiles.get,
    ),
    Route(
        "PUT",
        "/job-profiles/{name}",
        "Replace a job profile's terms (operators)",
        200,
        ProfileView,
        (*_WRITE, 403, 404, 409),
        UpdateProfile,
        action=profiles.update,
    ),
    Route(
        "DELETE",
        "/job-profiles/{name}",
        "Delete a job profile (operators): its jobs run on, new ones get 404",
        200,
        ProfileView,
        (401, 403, 404),
        action=profiles.delete,
    ),
    Route(
        "POST",
        "/tenants",
        "Register a tenant and make its first API key (operators)",
        201,
        tenants.TenantCreated,
        (*_WRITE, 403, 409),
        tenants.CreateTenant,
        action=tenants.create,
    ),
    Route(
        "GET",
        "/tenants",
        "List tenants (operators)",
        200,
        tenants.TenantList,
        (401, 403),
        action=tenants.list_tenants,
    ),
    Route(
        "GET",
        "/tenants/{tenant_id}",
        "Read a tenant (operators)",
        200,
        tenants.TenantView,
        (401, 403, 404),
        action=tenants.get,
    ),
    Route(
        "PATCH",
        "/tenants/{tenant_id}",
        "Change a tenant's weight, allowed priorities or quotas (operators)",
        200,
        tenants.TenantView,
        (*_WRITE, 403, 404, 409),
        tenants.ChangeTenant,
        action=tenants.change,
    ),
    Route(
        "POST",
        "/tenants/{tenant_id}/keys",
        "Make another API key for a tenant (operators); its other keys keep working",
        201,
        tenants.KeyCreated,
        (401, 403, 404, 409),
        action=tenants.add_key,
    ),
    Route(
        "DELETE",
        "/tenants/{tenant_id}/keys/{key_id}",
        "Revoke a tenant's API key (operators): refused from the next request on",
        200,
        tenants.TenantView,
        (401, 403, 404, 409),
        action=tenants.revoke_key,
    ),
)

_ERROR_TEXT: Final = {
    403: (
        "Only operators manage job profiles and tenants; operators have no jobs; or the "
        "tenant's terms refuse the job (error.field names the term)"
    ),
    404: "No such job (or not yours), job profile, tenant or key",
    409: (
        "The job has ended, the profile or tenant exists, or a concurrent change won; "
        "see error.code"
    ),
    422: (
        "The Idempotency-Key was sent before with another body (not the same canonical JSON); "
        "the message names the key's job"
    ),
    429: "The tenant's max_queued jobs are waiting; retry after Retry-After seconds",
}
_DESCRIPTION: Final = (
    "Tenants submit analytics jobs under job profiles and follow them. Every 4xx and 5xx answer "
    "has the body ErrorBody. Locally the tenant is the owner of the X-Api-Key; on AWS the API's "
    "authorizer names it. Operators create and replace job profiles with an operator key in "
    "X-Api-Key (on AWS through the operators' authorizer); a tenant gets 403. A tenant lists, "
    "reads and submits to only the profiles that grant it (tenants); any other is a 404. "
    "Operators register tenants, set their weight, allowed priorities and quotas, and make and "
    "revoke their API keys (/tenants); a key is shown once and stored only as a hash."
)
DESCRIPTION: Final = Description(
    title="job-service",
    description=_DESCRIPTION,
    server_url="http://127.0.0.1:8001",
    routes=ROUTES,
    error_text=_ERROR_TEXT,
)


def main(argv: Sequence[str] | None = None) -> int:
    return write_or_check(argv, DOCUMENT_PATH, document, "job_service.api.openapi")


if __name__ == "__main__":
    sys.exit(main())
