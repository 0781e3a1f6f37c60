"""The job service's REST API on Chalice: routes only.

Nothing is built at import: the first request with a known key builds the job service
(`api.get()`, from the environment); tests give it one with `api.use(...)`. The route table of
the OpenAPI document (api/openapi.py) must name exactly these routes; a test checks.
"""

from __future__ import annotations

import os

from chalice.app import Chalice, Request, Response

from backbone.http.errors import envelope_chalice_errors
from backbone.http.runtime import ApiHolder, Server
from job_service.api import jobs, profiles
from job_service.api.errors import ERRORS
from job_service.api.openapi import document
from job_service.api.runtime import Api, JobCall, holder

app = Chalice(app_name="job-service")
app.register_middleware(envelope_chalice_errors, "http")
api: ApiHolder[Api] = holder(os.environ)
server: Server[Api, JobCall] = Server(api, JobCall, ERRORS, "the job service")


def _request() -> Request:
    request = app.current_request
    assert request is not None, "only a route may ask for the current request"
    return request


@app.route("/openapi.json", methods=["GET"])
def openapi() -> Response:
    return Response(document())


@app.route("/jobs", methods=["POST"])
def submit_job() -> Response:
    return server.serve(_request(), jobs.submit)


@app.route("/jobs", methods=["GET"])
def list_jobs() -> Response:
    return server.serve(_request(), jobs.list_jobs)


@app.route("/jobs/{job_id}", methods=["GET"])
def get_job(job_id: str) -> Response:
    return server.serve(_request(), jobs.get, job_id)


@app.route("/jobs/{job_id}", methods=["DELETE"])
def cancel_job(job_id: str) -> Response:
    return server.serve(_request(), jobs.cancel, job_id)


@app.route("/jobs/{job_id}/history", methods=["GET"])
def job_history(job_id: str) -> Response:
    return server.serve(_request(), jobs.history, job_id)


@app.route("/job-profiles", methods=["GET"])
def list_profiles() -> Response:
    return server.serve(_request(), profiles.list_profiles)


@app.route("/job-profiles", methods=["POST"])
def create_profile() -> Response:
    return server.serve(_request(), profiles.create)


@app.route("/job-profiles/{name}", methods=["GET"])
def get_profile(name: str) -> Response:
    return server.serve(_request(), profiles.get, name)


@app.route("/job-profiles/{name}", methods=["PUT"])
def update_profile(name: str) -> Response:
    return server.serve(_request(), profiles.update, name)
