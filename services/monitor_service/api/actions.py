"""The actions of the monitor's JSON API: health, metrics, the audit log, the job history and a
job's timeline.

Without `as_of` each answers the live read models at the service's clock; with it, the models
rebuilt from what the monitor had recorded by then (MonitorApplication.board_as_of).
"""

from __future__ import annotations

import re
from typing import Any, Final, TypeVar

from chalice.app import Response

from backbone.http.errors import ApiError
from backbone.http.negotiation import preferred
from backbone.http.pagination import decode_token, encode_token
from backbone.http.params import TOKEN_PATTERN
from monitor_service.api.dead_letters import depth_rows, depths_view
from monitor_service.api.models import AsOfQuery, AuditEventsQuery, JobHistoryQuery, MetricsQuery
from monitor_service.api.runtime import QUERY_FIELDS, MonitorCall
from monitor_service.application.exposition import to_prometheus
from monitor_service.domain import AuditQuery, InvalidQuery
from monitor_service.domain.records import iso

JSON: Final = "application/json"
PROMETHEUS: Final = "text/plain; version=0.0.4; charset=utf-8"
Q = TypeVar("Q", bound=AsOfQuery)
OFFERS: Final = (JSON, "text/plain", "application/openmetrics-text")
"""What GET /metrics can answer, JSON first (it wins ties); both text types get PROMETHEUS."""


def read_query(call: MonitorCall, model: type[Q]) -> Q:
    """The query as `model`; an `as_of` after the service's clock is a 400 (the log cannot
    stand as it will)."""
    query = call.query(model)
    if query.as_of is not None and query.as_of > call.now():
        message = f"as_of: must not be after now ({iso(call.now())}); leave it out for now"
        raise ApiError(400, "invalid_request", message, field="as_of")
    return query


def health(call: MonitorCall) -> Response:
    query = read_query(call, AsOfQuery)
    at = query.as_of or call.now()
    answer = call.app.health(at, exact=query.as_of is not None)
    dead_letters = depths_view(call.service.dead_letters)
    return Response({"at": iso(at), **answer, "dead_letter_queues": dead_letters})


def metrics(call: MonitorCall) -> Response:
    """JSON, or the Prometheus text format when `format=prometheus` or Accept prefers text."""
    query = read_query(call, MetricsQuery)
    at, exact = query.as_of or call.now(), query.as_of is not None
    report = call.app.metrics(at, exact=exact)
    report["dead_letter_messages"] = depth_rows(call.service.dead_letters)
    if _wants_text(query.format, call.header("Accept")):
        return Response(
            to_prometheus(report), headers={"Content-Type": PROMETHEUS, "Vary": "Accept"}
        )
    return Response(report, headers={"Vary": "Accept"})


def _wants_text(format: str | None, accept: str | None) -> bool:
    if format is not None:
        return format == "prometheus"
    return preferred(accept, OFFERS) not in (None, JSON)


def audit_events(call: MonitorCall) -> Response:
    query = read_query(call, AuditEventsQuery)
    filters = _filters(query)
    after = None
    if query.next_token is not None:
        after = decode_token(query.next_token, filters, str)
    try:
        audit = AuditQuery(
            start=query.start,
            end=query.end,
            detail_type=query.type,
            job_id=query.job_id,
            tenant_id=query.tenant,
            limit=query.limit,
            after=after,
        )
        page = call.app.audit_events(audit, as_of=query.as_of)
    except InvalidQuery as error:
        raise _refused(error) from None
    token = None if page.next_cursor is None else encode_token(page.next_cursor, filters)
    return Response({"events": [r.to_dict() for r in page.records], "next_token": token})


def job_history(call: MonitorCall) -> Response:
    """The jobs submitted in [from, to), one row each, oldest first (domain/history.py)."""
    query = read_query(call, JobHistoryQuery)
    filters = {"from": iso(query.start), "to": iso(query.end), "as_of": iso(query.as_of)}
    after = None
    if query.next_token is not None:
        after = decode_token(query.next_token, filters, str)
    try:
        audit = AuditQuery(start=query.start, end=query.end, limit=query.limit, after=after)
        page = call.app.job_history(audit, as_of=query.as_of)
    except InvalidQuery as error:
        raise _refused(error) from None
    token = None if page.next_cursor is None else encode_token(page.next_cursor, filters)
    return Response({"jobs": [run.to_dict() for run in page.runs], "next_token": token})


def _filters(query: AuditEventsQuery) -> dict[str, Any]:
    """What a next_token is bound to: every parameter but limit and the token itself."""
    return {
        "from": iso(query.start),
        "to": iso(query.end),
        "type": query.type,
        "job_id": query.job_id,
        "tenant": query.tenant,
        "as_of": iso(query.as_of),
    }


def _refused(error: InvalidQuery) -> ApiError:
    field = QUERY_FIELDS.get(error.field, error.field)
    if field == "next_token":
        message = "next_token is not one this API gave; start again without it"
        return ApiError(400, "invalid_next_token", message, field=field)
    return ApiError(400, "invalid_request", f"{field}: expected {error.expected}", field=field)


def job_timeline(call: MonitorCall, job_id: str) -> Response:
    """404 when nothing recorded names the job (by `as_of`, if given)."""
    _check_job_id(job_id)
    query = read_query(call, AsOfQuery)
    records = call.app.job_timeline(job_id, as_of=query.as_of)
    if not records:
        when = "" if query.as_of is None else f" by {iso(query.as_of)}"
        message = f"no event about job {job_id} was recorded{when}; GET /audit/events lists them"
        raise ApiError(404, "job_not_found", message, field="job_id")
    return Response({"job_id": job_id, "events": [r.to_dict() for r in records]})


def _check_job_id(job_id: str) -> None:
    if not re.fullmatch(TOKEN_PATTERN, job_id):
        message = "job_id must be 1 to 256 printable ASCII characters without spaces"
        raise ApiError(400, "invalid_request", message, field="job_id")
