"""The cluster service's operators' REST API on Chalice: the routes of api/openapi.py's table.

Nothing is built at import: the first request with a known key builds the cluster service
(`api.get()`, from the environment); tests give it one with `api.use(...)`. The route table
(api/openapi.py's ROUTES) is the one source of both these routes and the OpenAPI document.
"""

from __future__ import annotations

import os

from backbone.http.routes import chalice_app
from backbone.http.runtime import ApiHolder, Server
from cluster_service.api.errors import ERRORS
from cluster_service.api.openapi import ROUTES
from cluster_service.api.runtime import Api, ClusterCall, holder

api: ApiHolder[Api] = holder(os.environ)
server: Server[Api, ClusterCall] = Server(api, ClusterCall, ERRORS, "the cluster service")
app = chalice_app("cluster-service", server, ROUTES)
