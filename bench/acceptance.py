"""Job acceptance: POST /jobs latency through the Chalice app, in-process and on the emulator."""

from __future__ import annotations

import statistics
import time
from uuid import uuid4

from bench.report import Report
from job_service.adapters import FakeStepRunner
from job_service.bootstrap import JobServiceSettings, bootstrap
from local_runtime.emulator import Emulator
from tests.job_service.test_api_helpers import ApiWorld

SUBMISSIONS = 300


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
        with ApiWorld(service) as world:
            world.create_profile()
            world.submitted()  # warm: board built, counter and profile known
            meter = getattr(service.app.factory, "meter", None)
            if meter is not None:
                meter.reset()
            latencies = []
            for _ in range(SUBMISSIONS):
                started = time.perf_counter()
                world.submitted()
                latencies.append((time.perf_counter() - started) * 1000)
            cuts = statistics.quantiles(latencies, n=100)
            report.add("acceptance", f"POST /jobs p50 (ms) [{label}]", cuts[49])
            report.add("acceptance", f"POST /jobs p99 (ms) [{label}]", cuts[98])
            if meter is not None:
                per = meter.total() / SUBMISSIONS
                report.add("acceptance", f"DynamoDB requests per acceptance [{label}]", per)
