"""The monitor service's REST API on Chalice: routes only.

Nothing is built at import: the first request that needs the monitor service builds it
(`api.get()`, from the environment); tests give it one with `api.use(...)`. The dashboard's page
and files need no service and no key. The route table of the OpenAPI document (api/openapi.py)
must name exactly these routes; a test checks.
"""

from __future__ import annotations

import os

from chalice.app import Chalice, Request, Response

from backbone.http.errors import envelope_chalice_errors
from backbone.http.runtime import ApiHolder, Server
from monitor_service.api import actions, dashboard
from monitor_service.api.openapi import document
from monitor_service.api.runtime import ERRORS, Api, MonitorCall, holder

app = Chalice(app_name="monitor-service")
app.register_middleware(envelope_chalice_errors, "http")
api: ApiHolder[Api] = holder(os.environ)
server: Server[Api, MonitorCall] = Server(api, MonitorCall, ERRORS, "the monitor service")


def _request() -> Request:
    request = app.current_request
    assert request is not None, "only a route may ask for the current request"
    return request


@app.route("/openapi.json", methods=["GET"])
def openapi() -> Response:
    return Response(document())


@app.route("/health", methods=["GET"])
def health() -> Response:
    return server.serve(_request(), actions.health)


@app.route("/metrics", methods=["GET"])
def metrics() -> Response:
    return server.serve(_request(), actions.metrics)


@app.route("/audit/events", methods=["GET"])
def audit_events() -> Response:
    return server.serve(_request(), actions.audit_events)


@app.route("/audit/jobs/{job_id}", methods=["GET"])
def job_timeline(job_id: str) -> Response:
    return server.serve(_request(), actions.job_timeline, job_id)


@app.route("/dashboard", methods=["GET"])
def dashboard_page() -> Response:
    return server.serve_public(_request(), dashboard.page)


@app.route("/dashboard/assets/{name}", methods=["GET"])
def dashboard_asset(name: str) -> Response:
    return server.serve_public(_request(), dashboard.asset, name)
