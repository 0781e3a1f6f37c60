"""The actions of /jobs: submit, read, list, cancel and audit a tenant's jobs."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Final

from chalice.app import Response

from backbone.http.errors import ApiError
from backbone.http.pagination import Filter, decode_token, encode_token, foreign_token
from backbone.http.runtime import json_response
from job_service.api.errors import ERRORS
from job_service.api.models import JobListQuery, SubmitJob
from job_service.api.runtime import JobCall
from job_service.api.views import (
    JobAccepted,
    JobPage,
    history_view,
    job_summary,
    job_view,
    links,
)
from job_service.application import ProfileNotFound
from job_service.domain import JobStatus
from job_service.domain.admission import OverQuota, Refused

IDEMPOTENCY_KEY: Final = "Idempotency-Key"
IDEMPOTENCY_KEY_PATTERN: Final = r"[!-~]{1,255}"
_KEY: Final = re.compile(IDEMPOTENCY_KEY_PATTERN)


def submit(call: JobCall) -> Response:
    """202 once the job is stored; a repeated Idempotency-Key with the same body answers with
    the same job, with another body 422 (IdempotencyKeyReused). A new job the tenant's terms
    refuse is 403 or 429 (admission.py), and nothing is stored."""
    body = call.body(SubmitJob)
    key, now = idempotency_key(call), call.now()
    try:
        job = call.app.submit(
            call.tenant_id,
            body.profile,
            body.name,
            body.parameters,
            body.priority,
            key,
            at=now,
            request_digest=request_digest(body),
        )
    except ProfileNotFound as error:
        raise ERRORS.answer_or_raise(error, field="profile") from None
    except Refused as error:
        return refusal(error)
    waiting = call.app.waiting_after_submit(job, at=now)
    estimate = None if waiting is None else waiting.estimate
    accepted = JobAccepted(
        job_id=str(job.id),
        status=job.status,
        queue_position=None if waiting is None else waiting.position,
        estimated_start_at=None if estimate is None else estimate.start_at,
        estimate_basis=None if estimate is None else estimate.basis,
        links=links(job.id),
    )
    return json_response(accepted, 202, {"Location": f"/jobs/{job.id}"})


def refusal(error: Refused) -> Response:
    """403 (not under the tenant's terms) or 429 with Retry-After (not now), `field` naming the
    limit and `details` its value and the tenant's use of it."""
    answer = ERRORS.answer_or_raise(error)
    used = f"the limit is {error.allowed}, the tenant has {error.used}"
    answer.details = [{"field": answer.field, "message": used}]
    retry = {"Retry-After": str(error.retry_after_seconds)} if isinstance(error, OverQuota) else {}
    return answer.response(retry)


def request_digest(body: SubmitJob) -> str:
    """SHA-256 of the body's canonical JSON: the fields sent (a field left out is not the same
    as one sent with its default), keys sorted at every level, no whitespace, UTF-8. Two
    bodies are the same request when these match: key order and spacing do not count."""
    sent = body.model_dump(mode="json", exclude_unset=True)
    canonical = json.dumps(sent, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def idempotency_key(call: JobCall) -> str | None:
    key = call.header(IDEMPOTENCY_KEY)
    if key is not None and not _KEY.fullmatch(key):
        message = "must be 1 to 255 printable ASCII characters without spaces, e.g. a UUID"
        raise ApiError(400, "invalid_request", message, field=IDEMPOTENCY_KEY)
    return key


def get(call: JobCall, job_id: str) -> Response:
    now = call.now()
    job, waiting = call.app.job_and_waiting(call.tenant_id, job_id, at=now)
    queued = job.status is JobStatus.QUEUED
    outlook = call.app.pool_outlook(job.cluster_profile, at=now) if queued else None
    return json_response(job_view(job, waiting, now, outlook))


def cancel(call: JobCall, job_id: str) -> Response:
    """200 with the cancelled job; 409 if it had already ended."""
    job = call.app.cancel(call.tenant_id, job_id, at=call.now())
    return json_response(job_view(job, None, call.now()))


def history(call: JobCall, job_id: str) -> Response:
    events = call.app.history(call.tenant_id, job_id)
    return json_response(history_view(events[0].originator_id, events))


def list_jobs(call: JobCall) -> Response:
    query = call.query(JobListQuery)
    filters: dict[str, Filter] = {"status": query.status, "profile": query.profile}
    before = None if query.next_token is None else _page_start(query.next_token, filters)
    page = call.app.list_jobs(
        call.tenant_id,
        status=None if query.status is None else JobStatus(query.status),
        job_profile=query.profile,
        limit=query.limit,
        before=before,
    )
    next_token = None if page.before is None else encode_token(page.before, filters)
    return json_response(JobPage(jobs=[job_summary(e) for e in page.jobs], next_token=next_token))


def _page_start(token: str, filters: dict[str, Filter]) -> int:
    """The submission order the page of `token` starts before (orders start at 1)."""
    before = decode_token(token, filters, int)
    if before < 1:
        raise foreign_token()
    return before
