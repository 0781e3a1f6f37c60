"""The REST API on the DynamoDB event store in the emulator: what a submission costs in requests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from job_service.adapters import FakeStepRunner
from job_service.bootstrap import JobService, JobServiceSettings, bootstrap
from local_runtime.emulator import Emulator
from tests.job_service.api_support import OPERATOR_KEY, PROFILE, ApiWorld, profile_body

pytestmark = pytest.mark.emulator


@pytest.fixture
def settings(emulator: Emulator, table: str) -> JobServiceSettings:
    return JobServiceSettings.from_env(
        {"JOB_SERVICE_TABLE": table, "AWS_ENDPOINT_URL": emulator.endpoint_url}
    )


@pytest.fixture
def world(settings: JobServiceSettings) -> Iterator[ApiWorld]:
    with ApiWorld(bootstrap(settings, step_runner=FakeStepRunner())) as world:
        world.create_profile()
        world.submitted()  # the process is warm: board built, counter and profile known
        yield world


def requests_of_a_submission(world: ApiWorld) -> tuple[dict[str, int], str]:
    meter = world.service.app.factory.meter
    meter.reset()
    job_id = world.submitted()
    return meter.snapshot(), job_id


def max_attempts(world: ApiWorld, job_id: str) -> int:
    attempts: int = world.request("GET", f"/jobs/{job_id}").body["max_attempts"]
    return attempts


def test_a_warm_submission_is_one_transaction_and_nothing_else(world: ApiWorld) -> None:
    requests, job_id = requests_of_a_submission(world)
    assert requests == {"dynamodb.TransactWriteItems": 1}
    assert world.request("GET", f"/jobs/{job_id}").body["status"] == "queued"


def test_a_profile_changed_through_this_process_costs_no_extra_read(world: ApiWorld) -> None:
    world.request("PUT", f"/job-profiles/{PROFILE}", profile_body(max_attempts=5), key=OPERATOR_KEY)

    requests, job_id = requests_of_a_submission(world)

    assert requests == {"dynamodb.TransactWriteItems": 1}
    assert max_attempts(world, job_id) == 5


def test_a_profile_changed_elsewhere_is_read_again_once_the_log_shows_it(
    world: ApiWorld, settings: JobServiceSettings
) -> None:
    # Given another process that changes the profile
    other: JobService = bootstrap(settings, step_runner=FakeStepRunner())
    terms = replace(other.app.get_profile(PROFILE).terms, max_attempts=7)
    other.app.update_profile(PROFILE, terms, at=other.clock())
    # When this process submits: its save finds the log moved on and reads it
    first, first_id = requests_of_a_submission(world)
    # Then that job raced the change and got the terms before it; the next one reads the
    # profile again and gets the new terms; the one after is warm again
    second, second_id = requests_of_a_submission(world)
    third, _ = requests_of_a_submission(world)
    assert first == {"dynamodb.TransactWriteItems": 2, "dynamodb.Query": 1}
    assert second == {"dynamodb.Query": 1, "dynamodb.TransactWriteItems": 1}
    assert third == {"dynamodb.TransactWriteItems": 1}
    assert (max_attempts(world, first_id), max_attempts(world, second_id)) == (3, 7)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/job-profiles"),
        ("PUT", f"/job-profiles/{PROFILE}"),
        ("DELETE", f"/job-profiles/{PROFILE}"),
    ],
)
def test_a_tenant_cannot_manage_profiles_on_dynamodb(
    world: ApiWorld, method: str, path: str
) -> None:
    # Given a profile on the DynamoDB store, and its notification count
    before = world.stored()
    attack = profile_body(step_template={"kind": "command", "args": ["bash", "-c", "id"]})
    # When a tenant creates, replaces or deletes a profile
    reply = world.request(method, path, attack if method != "DELETE" else None)
    # Then it is refused with 403, nothing is written, and the profile still runs its program
    assert (reply.status, reply.error["code"]) == (403, "forbidden")
    assert world.stored() == before
    profile = world.request("GET", f"/job-profiles/{PROFILE}").body
    assert profile["step_template"]["args"][0] == "s3://bucket/train.py"


def test_a_tenant_not_granted_a_profile_on_dynamodb_finds_no_such_profile(world: ApiWorld) -> None:
    body = profile_body(tenants=["someone-else"])
    assert world.request("PUT", f"/job-profiles/{PROFILE}", body, key=OPERATOR_KEY).status == 200
    before = world.stored()
    assert world.request("GET", f"/job-profiles/{PROFILE}").status == 404
    assert world.submit().status == 404
    assert world.stored() == before
