"""A path no API has is a 404 in the documented error envelope, in every service, locally (the
app's fallback routes) and deployed (each template's GatewayResponse); a known path with a
method it does not serve is a 405 in the same envelope."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.cluster_service.api_support import KEY as CLUSTER_KEY
from tests.cluster_service.api_support import ApiWorld as ClusterWorld
from tests.deploy.templates import SERVICES, of_type, template
from tests.job_service.api_support import KEY as TENANT_KEY
from tests.job_service.api_support import ApiWorld as JobWorld
from tests.monitor_service.api_support import KEY as MONITOR_KEY
from tests.monitor_service.api_support import ApiWorld as MonitorWorld

KNOWN_PATH = {"job": "/jobs", "cluster": "/pools", "monitor": "/health"}
"""A path each service serves, but not with PATCH."""


@contextmanager
def client_of(service: str) -> Iterator[tuple[Any, str]]:
    if service == "job":
        with JobWorld() as job:
            yield job.client, TENANT_KEY
    elif service == "cluster":
        with ClusterWorld() as cluster:
            yield cluster.client, CLUSTER_KEY
    else:
        with MonitorWorld() as monitor:
            yield monitor.client, MONITOR_KEY


def _error(body: bytes) -> dict[str, Any]:
    parsed = json.loads(body)
    assert set(parsed) == {"error"} and {"code", "message", "field"} <= set(parsed["error"])
    error: dict[str, Any] = parsed["error"]
    return error


@pytest.mark.parametrize("service", ["job", "cluster", "monitor"])
@pytest.mark.parametrize("key", [True, False], ids=["with-key", "without-key"])
@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/nope"), ("POST", "/a/b/c"), ("DELETE", "/jobs/x/y/z/w")]
)
def test_an_unknown_route_is_a_404_in_the_error_envelope(
    service: str, key: bool, method: str, path: str
) -> None:
    with client_of(service) as (client, api_key):
        headers = {"X-Api-Key": api_key} if key else {}
        reply = client.http.request(method, path, headers=headers, body=b"")
    assert reply.status_code == 404, reply.body
    error = _error(reply.body)
    assert error["code"] == "not_found"
    assert f"{method} {path}" in error["message"]


@pytest.mark.parametrize("service", ["job", "cluster", "monitor"])
def test_a_known_path_with_a_method_it_does_not_serve_is_a_405(service: str) -> None:
    with client_of(service) as (client, api_key):
        path = KNOWN_PATH[service]
        reply = client.http.request("PATCH", path, headers={"X-Api-Key": api_key}, body=b"")
    assert reply.status_code == 405, reply.body
    assert _error(reply.body)["code"] == "method_not_allowed"


@pytest.mark.parametrize("service", SERVICES)
def test_deployed_api_gateway_answers_a_missing_route_with_the_same_404(service: str) -> None:
    (api,) = of_type(template(service), "AWS::Serverless::Api").values()
    response = api["Properties"]["GatewayResponses"]["MISSING_AUTHENTICATION_TOKEN"]
    assert response["StatusCode"] == "404"
    rendered = response["ResponseTemplates"]["application/json"]
    rendered = rendered.replace("$context.httpMethod", "GET").replace("$context.path", "/nope")
    error = _error(rendered.encode())
    assert error["code"] == "not_found" and error["field"] is None
    assert "GET /nope" in error["message"]
