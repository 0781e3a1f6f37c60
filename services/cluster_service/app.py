"""The cluster service's operators' REST API on Chalice: routes only.

Nothing is built at import: the first request with a known key builds the cluster service
(`api.get()`, from the environment); tests give it one with `api.use(...)`. The route table of
the OpenAPI document (api/openapi.py) must name exactly these routes; a test checks.
"""

from __future__ import annotations

import os

from chalice.app import Chalice, Request, Response

from backbone.http.errors import envelope_chalice_errors
from backbone.http.runtime import ApiHolder, Server
from cluster_service.api import actions
from cluster_service.api.errors import ERRORS
from cluster_service.api.openapi import document
from cluster_service.api.runtime import Api, ClusterCall, holder

app = Chalice(app_name="cluster-service")
app.register_middleware(envelope_chalice_errors, "http")
api: ApiHolder[Api] = holder(os.environ)
server: Server[Api, ClusterCall] = Server(api, ClusterCall, ERRORS, "the cluster service")


def _request() -> Request:
    request = app.current_request
    assert request is not None, "only a route may ask for the current request"
    return request


@app.route("/openapi.json", methods=["GET"])
def openapi() -> Response:
    return Response(document())


@app.route("/cluster-profiles", methods=["GET"])
def list_profiles() -> Response:
    return server.serve(_request(), actions.list_profiles)


@app.route("/cluster-profiles", methods=["POST"])
def create_profile() -> Response:
    return server.serve(_request(), actions.create_profile)


@app.route("/cluster-profiles/{name}", methods=["GET"])
def get_profile(name: str) -> Response:
    return server.serve(_request(), actions.get_profile, name)


@app.route("/cluster-profiles/{name}", methods=["PUT"])
def update_profile(name: str) -> Response:
    return server.serve(_request(), actions.update_profile, name)


@app.route("/clusters", methods=["GET"])
def list_clusters() -> Response:
    return server.serve(_request(), actions.list_clusters)


@app.route("/pools", methods=["GET"])
def list_pools() -> Response:
    return server.serve(_request(), actions.list_pools)


@app.route("/pools/{profile}", methods=["GET"])
def get_pool(profile: str) -> Response:
    return server.serve(_request(), actions.get_pool, profile)


@app.route("/pools/{profile}", methods=["PUT"])
def change_thresholds(profile: str) -> Response:
    return server.serve(_request(), actions.change_thresholds, profile)
