"""The job service's REST API on Chalice: the routes of api/openapi.py's table, served.

Nothing is built at import: the first request with a known key builds the job service
(`api.get()`, from the environment); tests give it one with `api.use(...)`. The route table
(api/openapi.py's ROUTES) is the one source of both these routes and the OpenAPI document.
"""

from __future__ import annotations

import os

from backbone.http.routes import chalice_app
from backbone.http.runtime import ApiHolder, Server
from job_service.api.errors import ERRORS
from job_service.api.openapi import ROUTES
from job_service.api.runtime import Api, JobCall, holder

api: ApiHolder[Api] = holder(os.environ)
server: Server[Api, JobCall] = Server(api, JobCall, ERRORS, "the job service")
app = chalice_app("job-service", server, ROUTES)
