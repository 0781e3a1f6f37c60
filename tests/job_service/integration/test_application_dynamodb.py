"""The job service on its real adapters in the emulator: DynamoDB event store, moto's EMR."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from events.schemas import ClusterReady, to_envelope
from job_service.adapters import EmrStepRunner
from job_service.bootstrap import JobService, JobServiceSettings, bootstrap
from local_runtime.emulator import Emulator
from tests.job_service.application_support import CLUSTER_PROFILE, PROFILE, profile_terms
from tests.job_service.integration.test_emr_adapter import moto_cluster

pytestmark = pytest.mark.emulator
TENANT = "tenant-1"


@pytest.fixture
def service(emulator: Emulator, table: str) -> JobService:
    settings = JobServiceSettings.from_env(
        {"JOB_SERVICE_TABLE": table, "AWS_ENDPOINT_URL": emulator.endpoint_url}
    )
    service = bootstrap(settings)
    service.app.create_profile(PROFILE, profile_terms(), at=service.clock())
    return service


def submit(service: JobService, **kwargs: Any) -> Any:
    return service.app.submit(
        TENANT, PROFILE, "nightly", {"date": "d"}, at=service.clock(), **kwargs
    )


def test_a_warm_submission_is_one_transaction(service: JobService) -> None:
    # Given a process that has saved before (it knows the notification counter)
    meter = service.app.factory.meter
    submit(service)
    meter.reset()
    # When a job is submitted
    job = submit(service)
    # Then its Submitted and Queued events were written in one TransactWriteItems, after one
    # read of the profile and one of the log for admission (without the REST API's profile
    # cache, both are read fresh; the API's warm path is in test_api_emulator.py)
    assert meter.snapshot() == {"dynamodb.TransactWriteItems": 1, "dynamodb.Query": 2}
    assert service.app.get(TENANT, job.id).status == "queued"


def test_a_repeated_key_on_dynamodb_returns_the_first_job(service: JobService) -> None:
    first = submit(service, idempotency_key="k")
    last = service.app.recorder.max_notification_id()
    assert submit(service, idempotency_key="k").id == first.id
    assert service.app.recorder.max_notification_id() == last


def test_a_job_runs_as_a_step_of_a_cluster_in_moto(service: JobService) -> None:
    # Given a cluster in moto's EMR and a queued job
    assert isinstance(service.step_runner, EmrStepRunner)
    emr_cluster_id = moto_cluster(service.step_runner._emr)
    job = submit(service)
    # When the cluster service announces it ready
    ready = ClusterReady(
        event_id=str(uuid4()),
        occurred_at=datetime.now(UTC),
        cluster_id="c-1",
        cluster_profile=CLUSTER_PROFILE,
        emr_cluster_id=emr_cluster_id,
        slots=2,
    )
    assert service.consumer.handle_message_body(json.dumps(to_envelope(ready))).value == "handled"
    # Then the job runs as a step that moto's EMR knows
    running = service.app.get(TENANT, job.id)
    assert running.status == "running"
    status = service.step_runner.describe_step(emr_cluster_id, running.step_id or "")
    assert status.state == "RUNNING"
    # And a process that starts now rebuilds the same board from the table
    assert service.app.rebuild_board().holders("c-1") == [job.id]
