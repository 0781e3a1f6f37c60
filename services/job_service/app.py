"""The job service's REST API on Chalice: the routes of api/openapi.py's table, served.

Nothing is built at import: the first request with a known key builds the job service
(`api.get()`, from the environment); tests give it one with `api.use(...)`. The route table
(api/openapi.py's ROUTES) is the one source of both these routes and the OpenAPI document.
"""

from __future__ import annotations

import os

from chalice.app import Chalice

from backbone.http.errors import envelope_chalice_errors
from backbone.http.routes import register_routes
from backbone.http.runtime import ApiHolder, Server
from job_service.api.errors import ERRORS
from job_service.api.openapi import ROUTES
from job_service.api.runtime import Api, JobCall, holder

app = Chalice(app_name="job-service")
app.register_middleware(envelope_chalice_errors, "http")
api: ApiHolder[Api] = holder(os.environ)
server: Server[Api, JobCall] = Server(api, JobCall, ERRORS, "the job service")
register_routes(app, server, ROUTES)
