"""POST, GET and DELETE /jobs/... and a job's history, through the Chalice app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from job_service.application import job_id_for
from job_service.domain import Job
from tests.job_service.api_support import (
    OTHER_KEY,
    PARAMETERS,
    PROFILE,
    TENANT,
    ApiWorld,
    job_body,
)
from tests.job_service.application_support import idle, ready, step_event


@pytest.fixture
def world() -> Iterator[ApiWorld]:
    with ApiWorld() as world:
        world.create_profile(allowed_priorities=["high", "normal", "low"])
        yield world


def test_a_submission_is_answered_202_once_the_job_is_stored(world: ApiWorld) -> None:
    # When a tenant submits a job
    reply = world.submit(name="nightly", priority="high")
    # Then the answer names the job, its status, its place in the queue and its links
    job_id = reply.body["job_id"]
    assert reply.status == 202
    assert reply.body == {
        "job_id": job_id,
        "status": "queued",
        "queue_position": 0,
        "estimated_start_at": None,
        "estimate_basis": "0 jobs ahead; no cluster of cluster profile spark-small ready, and no"
        " cluster start-up seen yet to estimate from; no run ended yet to estimate run times from",
        "links": {"self": f"/jobs/{job_id}", "history": f"/jobs/{job_id}/history"},
    }
    assert reply.headers["location"] == f"/jobs/{job_id}"
    # And the job's Submitted and Queued events were stored before the answer
    events = world.service.app.history(TENANT, job_id)
    assert [type(e) for e in events] == [Job.Submitted, Job.Queued]
    assert (events[0].priority, events[0].parameters) == ("high", PARAMETERS)


def test_a_second_job_is_queued_behind_the_first(world: ApiWorld) -> None:
    world.submitted()
    assert world.submit().body["queue_position"] == 1


def test_a_job_without_priority_gets_the_profiles_priority_class(world: ApiWorld) -> None:
    job_id = world.submitted()
    assert world.request("GET", f"/jobs/{job_id}").body["priority"] == "normal"


def test_a_repeated_idempotency_key_answers_with_the_same_job(world: ApiWorld) -> None:
    # Given a job submitted with an Idempotency-Key
    key = {"idempotency-key": "nightly-2024-01-01"}
    first = world.request("POST", "/jobs", job_body(priority="high"), headers=key)
    stored = world.stored()
    # When the same tenant sends the same key again, with the same body written otherwise
    # (keys in another order, other spacing)
    fields = job_body(priority="high")
    same = json.dumps(dict(reversed(fields.items())), indent=3).encode()
    again = world.request("POST", "/jobs", same, headers=key)
    # Then it gets 202 with the same job, and no second job was stored
    assert (again.status, again.body) == (202, first.body)
    assert world.stored() == stored


@pytest.mark.parametrize(
    "other",
    [{"name": "other"}, {"priority": "low"}, {"priority": None}, {"parameters": {}}],
    ids=["name", "priority", "priority-left-out", "parameters"],
)
def test_a_repeated_idempotency_key_with_another_body_is_a_422(
    world: ApiWorld, other: dict[str, Any]
) -> None:
    # Given a job submitted with an Idempotency-Key
    key = {"idempotency-key": "nightly-2024-01-01"}
    first = world.request("POST", "/jobs", job_body(priority="high"), headers=key)
    stored = world.stored()
    # When the same tenant sends the key again with another body
    body = {k: v for k, v in (job_body(priority="high") | other).items() if v is not None}
    again = world.request("POST", "/jobs", body, headers=key)
    # Then it is a 422 naming the key and the first job, and nothing is stored
    assert again.status == 422, again.body
    assert (again.error["code"], again.error["field"]) == (
        "idempotency_key_reused",
        "Idempotency-Key",
    )
    assert "nightly-2024-01-01" in again.error["message"]
    assert first.body["job_id"] in again.error["message"]
    assert world.stored() == stored
    # And the first body still answers with the first job
    assert world.request("POST", "/jobs", job_body(priority="high"), headers=key).body == (
        first.body
    )


def test_the_same_key_from_another_tenant_is_another_job(world: ApiWorld) -> None:
    first = world.submit(headers={"idempotency-key": "k-1"})
    other = world.submit(key=OTHER_KEY, headers={"idempotency-key": "k-1"})
    assert other.status == 202
    assert other.body["job_id"] != first.body["job_id"]


def test_a_queued_job_says_how_many_jobs_go_before_it(world: ApiWorld) -> None:
    world.submitted()
    job_id = world.submitted()

    body = world.request("GET", f"/jobs/{job_id}").body

    assert (body["status"], body["queue_position"]) == ("queued", 1)
    assert body["waiting_reason"].startswith("queued behind 1 job; waiting for a cluster of ")
    assert body["times"] == {
        "submitted": "2024-01-01T00:00:00Z",
        "queued": "2024-01-01T00:00:00Z",
        "allocated": None,
        "started": None,
        "finished": None,
    }


def test_the_next_job_waits_for_a_cluster(world: ApiWorld) -> None:
    body = world.request("GET", f"/jobs/{world.submitted()}").body
    assert body["queue_position"] == 0
    assert body["waiting_reason"].startswith("waiting for a cluster")


def test_a_running_job_shows_its_cluster_attempt_and_start(world: ApiWorld) -> None:
    # Given a job that got a slot of a ready cluster and runs
    job_id = world.submitted()
    world.advance(30)
    world.deliver(ready("c-1"))
    # When the tenant reads it
    body = world.request("GET", f"/jobs/{job_id}").body
    # Then it is running on that cluster, first attempt, and waits for nothing
    assert (body["status"], body["cluster"], body["attempts"]) == ("running", "c-1", 1)
    assert body["times"]["started"] == "2024-01-01T00:00:30Z"
    assert (body["waiting_reason"], body["queue_position"]) == (None, None)


def test_a_failed_attempt_waits_out_its_back_off(world: ApiWorld) -> None:
    # Given a job whose first attempt failed
    job_id = world.submitted()
    world.deliver(ready("c-1"))
    step_id = world.service.app.get(TENANT, job_id).step_id or ""
    world.deliver(step_event(step_id, "FAILED", message="OOM"))
    # When the tenant reads it during the back-off
    body = world.request("GET", f"/jobs/{job_id}").body
    # Then it says when it will be retried
    assert (body["status"], body["attempts"], body["queue_position"]) == ("queued", 1, None)
    assert body["retry_at"] == "2024-01-01T00:00:30Z"
    assert body["waiting_reason"] == "retrying after back-off until 2024-01-01T00:00:30Z"
    assert body["failure_reason"] == "OOM"


def test_a_job_that_succeeds_on_a_retry_shows_no_failure_reason(world: ApiWorld) -> None:
    # Given a job whose first attempt failed
    job_id = world.submitted()
    world.deliver(ready("c-1"))
    first = world.service.app.get(TENANT, job_id).step_id or ""
    world.deliver(step_event(first, "FAILED", message="OOM"))
    # When its second attempt succeeds after the back-off
    world.advance(30)
    world.deliver(idle("c-1"))
    second = world.service.app.get(TENANT, job_id).step_id or ""
    assert second and second != first
    world.deliver(step_event(second, "COMPLETED"))
    # Then the job shows no failure; its history still tells of the first attempt's
    body = world.request("GET", f"/jobs/{job_id}").body
    assert (body["status"], body["attempts"], body["failure_reason"]) == ("succeeded", 2, None)
    history = world.request("GET", f"/jobs/{job_id}/history").raw
    assert b"OOM" in history


def test_another_tenants_job_is_not_found_exactly_like_a_missing_one(world: ApiWorld) -> None:
    # Given the answer for a job id that does not exist yet
    job_id = str(job_id_for(TENANT, "k-1"))
    missing = world.request("GET", f"/jobs/{job_id}")
    # When that job exists, but is another tenant's
    world.submit(headers={"idempotency-key": "k-1"})
    others = world.request("GET", f"/jobs/{job_id}", key=OTHER_KEY)
    # Then the answer is the very same 404
    assert (others.status, others.raw) == (404, missing.raw)
    assert missing.error["code"] == "job_not_found"
    for method, path in [("DELETE", f"/jobs/{job_id}"), ("GET", f"/jobs/{job_id}/history")]:
        assert world.request(method, path, key=OTHER_KEY).raw == missing.raw


def test_a_job_id_that_is_no_uuid_is_not_found(world: ApiWorld) -> None:
    assert world.request("GET", "/jobs/not-a-job").error["code"] == "job_not_found"


def test_cancelling_a_queued_job_takes_it_out_of_the_queue(world: ApiWorld) -> None:
    # Given two queued jobs
    first, second = world.submitted(), world.submitted()
    # When the first is cancelled
    reply = world.request("DELETE", f"/jobs/{first}")
    # Then it is cancelled, and the second is next
    assert (reply.status, reply.body["status"]) == (200, "cancelled")
    assert reply.body["times"]["finished"] == "2024-01-01T00:00:00Z"
    assert world.request("GET", f"/jobs/{second}").body["queue_position"] == 0


def test_cancelling_a_running_job_cancels_its_step(world: ApiWorld) -> None:
    job_id = world.submitted()
    world.deliver(ready("c-1"))
    step_id = world.service.app.get(TENANT, job_id).step_id

    assert world.request("DELETE", f"/jobs/{job_id}").body["status"] == "cancelled"

    assert world.runner.cancelled == [step_id]


def test_cancelling_a_finished_job_is_a_conflict_that_stores_nothing(world: ApiWorld) -> None:
    # Given a cancelled job
    job_id = world.submitted()
    world.request("DELETE", f"/jobs/{job_id}")
    stored = world.stored()
    # When it is cancelled again
    reply = world.request("DELETE", f"/jobs/{job_id}")
    # Then the answer is 409 saying why, and nothing changed
    assert reply.status == 409
    assert reply.error["code"] == "illegal_transition"
    assert "cancelled" in reply.error["message"]
    assert world.stored() == stored


def test_the_history_lists_the_stored_events_as_json(world: ApiWorld) -> None:
    # Given a job that ran and failed once
    job_id = world.submitted()
    world.deliver(ready("c-1"))
    step_id = world.service.app.get(TENANT, job_id).step_id or ""
    world.deliver(step_event(step_id, "FAILED", message="OOM"))
    # When its history is read
    reply = world.request("GET", f"/jobs/{job_id}/history")
    # Then every stored event is there, in order, with its fields as JSON values
    assert reply.status == 200
    events = reply.body["events"]
    assert [(e["type"], e["version"]) for e in events] == [
        ("Submitted", 1),
        ("Queued", 2),
        ("Allocated", 3),
        ("Started", 4),
        ("Requeued", 5),
    ]
    assert events[0]["fields"] == {
        "tenant_id": TENANT,
        "name": "nightly",
        "job_profile": PROFILE,
        "cluster_profile": "spark-small",
        "priority": "normal",
        "timeout_seconds": 600,
        "max_attempts": 3,
        "parameters": PARAMETERS,
        "step_args": ["spark-submit", "s3://bucket/train.py", "--date", "2024-01-01"],
        "request_digest": None,
    }
    assert events[4]["fields"]["retry_at"] == "2024-01-01T00:00:30Z"
    assert events[4]["time"] == "2024-01-01T00:00:00Z"
    assert reply.body["job_id"] == job_id


def test_parameter_values_keep_their_json_types(world: ApiWorld) -> None:
    # Given a profile whose template takes four parameters
    template = {"kind": "command", "args": ["run", "{a}", "{b}", "{c}", "{d}"]}
    types = {"a": "boolean", "b": "number", "c": "integer", "d": "string"}
    declared = {name: {"type": kind} for name, kind in types.items()}
    world.create_profile(name="typed", step_template=template, parameters=declared)
    parameters = {"a": True, "b": 1.0, "c": 2**63 - 1, "d": "x"}
    # When a job gives one of each kind, then it reads back the same
    job_id = world.submitted(profile="typed", parameters=parameters)
    assert world.request("GET", f"/jobs/{job_id}").raw.count(b'"a":true,"b":1.0,') == 1
    assert world.request("GET", f"/jobs/{job_id}").body["parameters"] == parameters
