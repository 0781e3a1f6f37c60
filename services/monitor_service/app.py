"""The monitor service's REST API on Chalice: the routes of api/openapi.py's table, served.

Nothing is built at import: the first request that needs the monitor service builds it
(`api.get()`, from the environment); tests give it one with `api.use(...)`. The dashboard's page
and files need no service and no key. The route table (api/openapi.py's ROUTES) is the one
source of both these routes and the OpenAPI document.
"""

from __future__ import annotations

import os

from backbone.http.routes import chalice_app
from backbone.http.runtime import ApiHolder, Server
from monitor_service.api.openapi import ROUTES
from monitor_service.api.runtime import ERRORS, Api, MonitorCall, holder

api: ApiHolder[Api] = holder(os.environ)
server: Server[Api, MonitorCall] = Server(api, MonitorCall, ERRORS, "the monitor service")
app = chalice_app("monitor-service", server, ROUTES)
