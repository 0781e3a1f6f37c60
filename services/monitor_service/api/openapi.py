"""The OpenAPI 3.1 document of the monitor's REST API, from its models and the route table below.

`python -m monitor_service.api.openapi` writes services/monitor_service/openapi.json; `--check`
exits 1 if that file is stale. GET /openapi.json serves the same document. ROUTES also names
the action serving each route: app.py serves exactly this table (register_routes).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from backbone.http.identity import API_KEY_HEADER
from backbone.http.openapi import JSON, Description, Route, write_or_check
from backbone.http.openapi import document as build
from backbone.http.routes import document_route
from monitor_service.api import actions, dashboard, dead_letters
from monitor_service.api.models import (
    AsOfQuery,
    AuditEventsQuery,
    DeadLettersQuery,
    JobHistoryQuery,
    MetricsQuery,
    Redrive,
)
from monitor_service.api.views import (
    AuditPageView,
    DeadLettersView,
    HealthView,
    JobHistoryView,
    JobTimelineView,
    MetricsView,
    RedriveView,
)

DOCUMENT_PATH: Final = Path(__file__).resolve().parent.parent / "openapi.json"
_TEXT: Final = ("text/plain", "application/openmetrics-text")


@functools.cache
def document() -> dict[str, Any]:
    """The OpenAPI document (built on first use, then kept)."""
    return build(DESCRIPTION)


ROUTES: Final = (
    document_route(document),
    Route(
        "GET",
        "/health",
        "Every service's and cluster's health",
        200,
        HealthView,
        (400, 401),
        query=AsOfQuery,
        action=actions.health,
    ),
    Route(
        "GET",
        "/metrics",
        "Every metric, as JSON or in the Prometheus text format",
        200,
        MetricsView,
        (400, 401),
        query=MetricsQuery,
        headers=("Accept",),
        media_types=(JSON, *_TEXT),
        action=actions.metrics,
    ),
    Route(
        "GET",
        "/audit/events",
        "Recorded events, oldest first, a page at a time",
        200,
        AuditPageView,
        (400, 401),
        query=AuditEventsQuery,
        action=actions.audit_events,
    ),
    Route(
        "GET",
        "/audit/jobs",
        "The jobs submitted in a time range, one row each (the simulator's log), oldest first",
        200,
        JobHistoryView,
        (400, 401),
        query=JobHistoryQuery,
        action=actions.job_history,
    ),
    Route(
        "GET",
        "/audit/jobs/{job_id}",
        "One job's timeline across the services",
        200,
        JobTimelineView,
        (400, 401, 404),
        query=AsOfQuery,
        action=actions.job_timeline,
    ),
    Route(
        "GET",
        "/dead-letters",
        "The messages the consumers gave up on, per queue, oldest first",
        200,
        DeadLettersView,
        (400, 401, 404),
        query=DeadLettersQuery,
        action=dead_letters.list_dead_letters,
    ),
    Route(
        "POST",
        "/dead-letters/redrive",
        "Send the dead letters of every queue, or of one, back to their queue",
        200,
        RedriveView,
        (400, 401, 404),
        Redrive,
        action=dead_letters.redrive,
    ),
    Route(
        "GET",
        "/dashboard",
        "The live dashboard (HTML)",
        200,
        None,
        errors=(),
        public=True,
        media_types=("text/html",),
        action=dashboard.page,
    ),
    Route(
        "GET",
        "/dashboard/assets/{name}",
        "A static file of the dashboard",
        200,
        None,
        errors=(404,),
        public=True,
        media_types=("text/javascript", "text/css", "text/plain"),
        action=dashboard.asset,
    ),
)

_ERROR_TEXT: Final = {
    400: "A query parameter is malformed or out of range; error.field names it",
    401: f"No {API_KEY_HEADER} header, or an unknown key",
    404: (
        "No event names the job (by as_of, if given), no such dashboard file, or no such "
        "consumer queue"
    ),
}
_DESCRIPTION: Final = (
    "The System Monitor: service and cluster health from heartbeats, metrics (queues, waits "
    "against SLA, clusters, utilization, cost per tenant), the audit log of every event on the "
    "bus, and a live dashboard. Every read model can be rebuilt from the audit log as it stood "
    "at a past time (as_of). Every 4xx and 5xx answer has the body ErrorBody. Locally the "
    "operator is the owner of the X-Api-Key; on AWS the API's authorizer names it. The "
    "dashboard's page and files are public; its script sends the key."
)
DESCRIPTION: Final = Description(
    title="monitor-service",
    description=_DESCRIPTION,
    server_url="http://127.0.0.1:8003",
    routes=ROUTES,
    error_text=_ERROR_TEXT,
)


def main(argv: Sequence[str] | None = None) -> int:
    return write_or_check(argv, DOCUMENT_PATH, document, "monitor_service.api.openapi")


if __name__ == "__main__":
    sys.exit(main())
