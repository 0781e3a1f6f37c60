"""Events stored before profiles had grants and typed parameters, and before jobs kept their
step, still load: a version-1 profile grants every tenant and types none of its placeholders,
and a version-1 job runs the step its profile renders."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent

from job_service.domain import Job, JobProfile
from tests.job_service.api_support import OTHER_KEY, PARAMETERS, PROFILE, TENANT, ApiWorld
from tests.job_service.application_support import profile_terms, ready


@pytest.fixture
def world() -> Iterator[ApiWorld]:
    with ApiWorld() as world:
        yield world


def store_as_version_1(world: ApiWorld, aggregate: Aggregate, drop: dict[str, str]) -> None:
    """Store the aggregate's new events as version 1 wrote them: without the fields `drop`
    names (by event class name) and without a class_version."""
    mapper, stored = world.service.app.mapper, []
    for event in aggregate.collect_events():
        new = mapper.to_stored_event(event)
        state: dict[str, Any] = json.loads(new.state)
        state.pop("class_version", None)
        for name in drop.get(type(event).__name__, "").split():
            state.pop(name)
        raw = json.dumps(state).encode()
        stored.append(StoredEvent(new.originator_id, new.originator_version, new.topic, raw))
    world.service.app.recorder.insert_events(stored)


def test_a_version_1_profile_grants_every_tenant_and_takes_any_plain_value(
    world: ApiWorld,
) -> None:
    profile = JobProfile.register(PROFILE, profile_terms(), world.now)
    store_as_version_1(world, profile, {"Updated": "tenants parameters"})

    body = world.request("GET", f"/job-profiles/{PROFILE}", key=OTHER_KEY).body
    assert (body["tenants"], body["parameters"]) == (["*"], {})
    assert world.submit(key=OTHER_KEY, parameters={"date": 20240101}).status == 202


def test_a_version_1_job_runs_the_step_its_profile_renders(world: ApiWorld) -> None:
    world.create_profile()
    terms = world.service.app.get_profile(PROFILE).terms_for(TENANT, "old", PARAMETERS)
    job = Job.submit(uuid4(), terms, world.now)
    job.enqueue(world.now)
    store_as_version_1(world, job, {"Submitted": "step_args request_digest"})

    read = world.service.app.store.repository.get(job.id)
    assert isinstance(read, Job) and (read.step_args, read.request_digest) == (None, None)
    world.deliver(ready("c-1"))
    (step,) = world.runner.steps.values()
    assert step.config["HadoopJarStep"]["Args"][-1] == "2024-01-01"
