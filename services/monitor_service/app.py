"""The monitor service's REST API on Chalice: the routes of api/openapi.py's table, served.

Nothing is built at import: the first request that needs the monitor service builds it
(`api.get()`, from the environment); tests give it one with `api.use(...)`. The dashboard's page
and files need no service and no key. The route table (api/openapi.py's ROUTES) is the one
source of both these routes and the OpenAPI document.
"""

from __future__ import annotations

import os

from chalice.app import Chalice

from backbone.http.errors import envelope_chalice_errors
from backbone.http.routes import register_routes
from backbone.http.runtime import ApiHolder, Server
from monitor_service.api.openapi import ROUTES
from monitor_service.api.runtime import ERRORS, Api, MonitorCall, holder

app = Chalice(app_name="monitor-service")
app.register_middleware(envelope_chalice_errors, "http")
api: ApiHolder[Api] = holder(os.environ)
server: Server[Api, MonitorCall] = Server(api, MonitorCall, ERRORS, "the monitor service")
register_routes(app, server, ROUTES)
