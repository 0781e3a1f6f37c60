"""The REST API through chalice.test.Client, on the in-memory store and a FakeStepRunner.

Shared by the test_api_* modules (named test_* only because of where this change may write);
it holds no tests. `ApiWorld` hands the Chalice app a job service of its own and takes it
back on `close`, so each test starts from an empty store.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from chalice.test import Client

from backbone.messaging.consumer import Outcome
from events.schemas import IntegrationEvent, to_envelope
from job_service.adapters import FakeStepRunner
from job_service.api.runtime import Api
from job_service.api.settings import ApiSettings
from job_service.app import api, app
from job_service.bootstrap import JobService, JobServiceSettings, bootstrap
from tests.job_service.application_support import CLUSTER_PROFILE, MEMORY_STORE, T0

TENANT, OTHER_TENANT = "tenant-1", "tenant-2"
KEY, OTHER_KEY = "key-of-tenant-1", "key-of-tenant-2"
OPERATOR_KEY = "key-of-an-operator"
PROFILE = "train-xgb"
PARAMETERS = {"date": "2024-01-01"}


def profile_body(**overrides: Any) -> dict[str, Any]:
    """A profile's body; a step_template given without parameters gets each placeholder
    declared (date: a date, any other: a string)."""
    if "step_template" in overrides and "parameters" not in overrides:
        template = overrides["step_template"]
        names = placeholders(template.get("args")) if isinstance(template, dict) else []
        overrides["parameters"] = {n: {"type": "date" if n == "date" else "string"} for n in names}
    body: dict[str, Any] = {
        "name": PROFILE,
        "job_type": "training",
        "cluster_profile": CLUSTER_PROFILE,
        "step_template": {"kind": "spark", "args": ["s3://bucket/train.py", "--date", "{date}"]},
        "parameters": {"date": {"type": "date"}},
        "max_attempts": 3,
        "timeout_seconds": 600,
    }
    return body | overrides


def placeholders(args: Any) -> list[str]:
    """The placeholder names of a step template's args (none if they are not a list of text)."""
    if not isinstance(args, list):
        return []
    text = "".join(arg for arg in args if isinstance(arg, str)).replace("{{", "").replace("}}", "")
    return sorted(set(re.findall(r"\{([A-Za-z_][A-Za-z0-9_.-]*)\}", text)))


def job_body(**overrides: Any) -> dict[str, Any]:
    return {"profile": PROFILE, "name": "nightly", "parameters": PARAMETERS} | overrides


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    headers: dict[str, str]
    raw: bytes

    @property
    def error(self) -> dict[str, Any]:
        """The error of a 4xx/5xx body (which always has this shape)."""
        assert set(self.body) == {"error"}, self.body
        error: dict[str, Any] = self.body["error"]
        assert {"code", "message", "field"} <= set(error), error
        return error


class ApiWorld:
    """One API process with its own job service; `now` is the service's clock."""

    def __init__(self, service: JobService | None = None, **settings: Any) -> None:
        self.now = T0
        self.runner = FakeStepRunner()
        if service is None:
            store = JobServiceSettings("unused", persistence_module=MEMORY_STORE)
            service = bootstrap(store, step_runner=self.runner, clock=lambda: self.now)
        self.service = service
        keys = {KEY: TENANT, OTHER_KEY: OTHER_TENANT}
        operators = {OPERATOR_KEY: "ops"}
        settings = {"operator_keys": operators} | settings
        api.use(Api.serving(service, ApiSettings(api_keys=keys, **settings)))
        self.client = Client(app)

    def close(self) -> None:
        api.use(None)

    def __enter__(self) -> ApiWorld:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now

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
        return Reply(answer.status_code, parsed, headers, answer.body)

    def create_profile(self, **overrides: Any) -> Reply:
        reply = self.request("POST", "/job-profiles", profile_body(**overrides), key=OPERATOR_KEY)
        assert reply.status == 201, reply.body
        return reply

    def submit(self, key: str = KEY, headers: dict[str, str] | None = None, **body: Any) -> Reply:
        return self.request("POST", "/jobs", job_body(**body), key=key, headers=headers)

    def submitted(self, **body: Any) -> str:
        """The id of a job submitted with `body` (asserting the 202)."""
        reply = self.submit(**body)
        assert reply.status == 202, reply.body
        return str(reply.body["job_id"])

    def stored(self) -> int:
        """How many events the store holds (its last notification id)."""
        return self.service.app.recorder.max_notification_id() or 0

    def deliver(self, event: IntegrationEvent | dict[str, Any]) -> Outcome:
        """One delivery through the service's consumer, as SQS would make it."""
        if isinstance(event, dict):
            body = json.dumps(event)
        else:
            body = json.dumps(to_envelope(event, envelope_id=str(uuid4())))
        outcome: Outcome = self.service.consumer.handle_message_body(body)
        return outcome
