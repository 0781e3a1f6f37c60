"""The operators' REST API through chalice.test.Client, on the in-memory store and fakes.

Shared by the test_api_* modules (named test_* only because of where this change may write);
it holds no tests. `ApiWorld` hands the Chalice app a cluster service of its own and takes it
back on `close`, so each test starts from an empty store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalice.test import Client

from cluster_service.adapters import FakeProvisioner, FakeThresholds
from cluster_service.api.runtime import Api
from cluster_service.api.settings import ApiSettings
from cluster_service.app import api, app
from cluster_service.bootstrap import ClusterService, ClusterServiceSettings, bootstrap

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
KEY = "key-of-operator-1"
MEMORY = "backbone.eventstore.memory"


def profile_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "spark-small",
        "release_label": "emr-7.1.0",
        "applications": ["Hadoop", "Spark"],
        "master_instance_type": "m5.xlarge",
        "core_instance_type": "m5.xlarge",
        "core_instance_count": 2,
        "step_concurrency": 2,
        "idle_timeout_seconds": 3600,
        "pool": {"minimum": 0, "maximum": 3, "idle_ttl_seconds": 900},
    }
    return body | overrides


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    headers: dict[str, str]

    @property
    def error(self) -> dict[str, Any]:
        assert set(self.body) == {"error"}, self.body
        error: dict[str, Any] = self.body["error"]
        assert {"code", "message", "field"} <= set(error), error
        return error


class ApiWorld:
    """One API process with its own cluster service on fakes; `now` is the service's clock."""

    def __init__(self) -> None:
        self.now = T0
        self.cloud = FakeProvisioner()
        self.thresholds = FakeThresholds()
        settings = ClusterServiceSettings(persistence_module=MEMORY)
        self.service: ClusterService = bootstrap(
            settings,
            provisioner=self.cloud,
            inspector=self.cloud.inspector,
            thresholds=self.thresholds,
            clock=lambda: self.now,
        )
        api.use(Api(self.service, ApiSettings(api_keys={KEY: "operator-1"})))
        self.client = Client(app)

    def close(self) -> None:
        api.use(None)

    def __enter__(self) -> ApiWorld:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        key: str | None = KEY,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """`body` is sent as JSON unless it is bytes already."""
        sent = {"content-type": "application/json"} | ({"x-api-key": key} if key else {})
        raw = (
            body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
        )
        answer = self.client.http.request(method, path, headers=sent | (headers or {}), body=raw)
        parsed = json.loads(answer.body) if answer.body else None
        headers = {name.lower(): value for name, value in answer.headers.items()}
        return Reply(answer.status_code, parsed, headers)

    def create_profile(self, **overrides: Any) -> Reply:
        reply = self.request("POST", "/cluster-profiles", profile_body(**overrides))
        assert reply.status == 201, reply.body
        return reply

    def stored(self) -> int:
        return self.service.app.recorder.max_notification_id() or 0
