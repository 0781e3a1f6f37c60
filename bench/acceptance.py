"""Job acceptance: POST /jobs latency through the Chalice app, in-process and on the emulator."""

from __future__ import annotations

import json
import statistics
import time
from typing import Any
from uuid import uuid4

from chalice.test import Client

from bench.report import Report
from job_service.adapters import FakeStepRunner
from job_service.api.runtime import Api
from job_service.api.settings import ApiSettings
from job_service.app import api, app
from job_service.bootstrap import JobService, JobServiceSettings, bootstrap
from local_runtime.emulator import Emulator

SUBMISSIONS = 300
KEY = "bench-key"
OPERATOR_KEY = "bench-operator-key"
PROFILE = {
    "name": "bench-profile",
    "job_type": "training",
    "cluster_profile": "spark-small",
    "step_template": {"kind": "spark", "args": ["s3://bucket/train.py", "--date", "{date}"]},
    "parameters": {"date": {"type": "date"}},
    "max_attempts": 3,
    "timeout_seconds": 600,
}
JOB = {"profile": "bench-profile", "name": "nightly", "parameters": {"date": "2024-01-01"}}


class _Caller:
    """The job API in process (chalice.test.Client) serving `service`, for one tenant."""

    def __init__(self, service: JobService) -> None:
        operators = {OPERATOR_KEY: "ops"}
        settings = ApiSettings(api_keys={KEY: "tenant-1"}, operator_keys=operators)
        api.use(Api.serving(service, settings))
        self.client = Client(app)

    def __enter__(self) -> _Caller:
        return self

    def __exit__(self, *exc: object) -> None:
        api.use(None)

    def post(self, path: str, body: dict[str, Any], status: int, key: str = KEY) -> None:
        headers = {"content-type": "application/json", "x-api-key": key}
        answer = self.client.http.post(path, headers=headers, body=json.dumps(body).encode())
        assert answer.status_code == status, answer.body


def run(report: Report, emulator: Emulator) -> None:
    """p50 and p99 of a warm POST /jobs, and DynamoDB requests per acceptance on the emulator."""
    stores = {
        "in-memory": {
            "JOB_SERVICE_TABLE": "unused",
            "PERSISTENCE_MODULE": "backbone.eventstore.memory",
        },
        "dynamodb-on-moto": {
            "JOB_SERVICE_TABLE": f"bench-jobs-{uuid4().hex[:8]}",
            "AWS_ENDPOINT_URL": emulator.endpoint_url,
            "CREATE_TABLE": "y",
        },
    }
    for label, environ in stores.items():
        service = bootstrap(JobServiceSettings.from_env(environ), step_runner=FakeStepRunner())
        with _Caller(service) as caller:
            caller.post("/job-profiles", PROFILE, 201, OPERATOR_KEY)
            caller.post("/jobs", JOB, 202)  # warm: board built, counter and profile known
            meter = getattr(service.app.factory, "meter", None)
            if meter is not None:
                meter.reset()
            latencies = []
            for _ in range(SUBMISSIONS):
                started = time.perf_counter()
                caller.post("/jobs", JOB, 202)
                latencies.append((time.perf_counter() - started) * 1000)
            cuts = statistics.quantiles(latencies, n=100)
            report.add("acceptance", f"POST /jobs p50 (ms) [{label}]", cuts[49])
            report.add("acceptance", f"POST /jobs p99 (ms) [{label}]", cuts[98])
            if meter is not None:
                per = meter.total() / SUBMISSIONS
                report.add("acceptance", f"DynamoDB requests per acceptance [{label}]", per)
