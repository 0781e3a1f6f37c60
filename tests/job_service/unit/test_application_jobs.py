"""Use cases of jobs and profiles, called directly, on the in-memory store."""

from __future__ import annotations

from typing import Any

import pytest

from job_service.application import JobNotFound, ProfileExists, ProfileNotFound, job_id_for
from job_service.domain import (
    IllegalTransition,
    InvalidJob,
    Job,
    JobProfile,
    JobStatus,
    MissingParameter,
    PriorityNotAllowed,
    ProfileError,
)
from tests.job_service.application_support import (
    PROFILE,
    T0,
    TENANT,
    World,
    profile_terms,
    ready,
)


@pytest.fixture
def world() -> World:
    return World()


def notifications(world: World) -> int:
    return world.app.recorder.max_notification_id() or 0


def test_a_submitted_job_is_stored_queued_on_its_profiles_terms(world: World) -> None:
    job = world.submit(priority="high")

    stored = world.job(job.id)
    assert stored.status is JobStatus.QUEUED
    assert (stored.cluster_profile, stored.priority, stored.timeout_seconds) == (
        "spark-small",
        "high",
        600,
    )
    assert [type(e) for e in world.app.history(TENANT, job.id)] == [Job.Submitted, Job.Queued]


def test_a_job_without_priority_gets_the_profiles_priority_class(world: World) -> None:
    assert world.submit().priority == "normal"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"parameters": {}}, MissingParameter),
        ({"priority": "critical"}, PriorityNotAllowed),
    ],
)
def test_a_submission_the_profile_refuses_stores_nothing(
    kwargs: dict[str, Any], error: type[Exception]
) -> None:
    world = World(allowed_priorities=frozenset({"normal", "low"}))
    before = notifications(world)
    with pytest.raises(error):
        world.submit(**kwargs)
    assert notifications(world) == before


def test_a_submission_to_an_unknown_profile_is_profile_not_found(world: World) -> None:
    with pytest.raises(ProfileNotFound):
        world.app.submit(TENANT, "no-such-profile", "job", {}, at=T0)


def test_a_repeated_idempotency_key_returns_the_first_job_and_stores_nothing(world: World) -> None:
    # Given a job submitted with a key
    first = world.submit(idempotency_key="key-1")
    before = notifications(world)
    # When the same key comes again, even with another name and priority
    again = world.submit("other-name", priority="low", idempotency_key="key-1")
    # Then it is the same job, unchanged, and nothing was written: the repeat's save failed on
    # the job's version (IntegrityError), exactly as a concurrent duplicate's would
    assert (again.id, again.name, again.priority) == (first.id, "nightly", "normal")
    assert first.id == job_id_for(TENANT, "key-1")
    assert notifications(world) == before


def test_a_repeated_key_returns_the_job_even_if_the_repeat_would_now_be_refused(
    world: World,
) -> None:
    first = world.submit(idempotency_key="key-1")
    world.app.update_profile(PROFILE, profile_terms(max_attempts=1), at=T0)
    assert world.submit(parameters={}, idempotency_key="key-1").id == first.id


def test_the_same_key_from_another_tenant_is_another_job(world: World) -> None:
    mine = world.submit(idempotency_key="shared")
    theirs = world.app.submit(
        "tenant-2", PROFILE, "x", {"date": "d"}, idempotency_key="shared", at=T0
    )
    assert theirs.id != mine.id


def test_another_tenants_job_is_not_found(world: World) -> None:
    job = world.submit()
    with pytest.raises(JobNotFound):
        world.app.get("tenant-2", job.id)
    with pytest.raises(JobNotFound):
        world.app.cancel("tenant-2", job.id, at=T0)


@pytest.mark.parametrize("job_id", ["not-a-uuid", str(JobProfile.id_for(PROFILE))])
def test_an_id_that_names_no_job_is_not_found(world: World, job_id: str) -> None:
    with pytest.raises(JobNotFound):
        world.app.get(TENANT, job_id)


def test_a_cancelled_queued_job_leaves_its_queue(world: World) -> None:
    job = world.submit()
    assert world.app.queue_position(TENANT, job.id, at=T0) == 0

    cancelled = world.app.cancel(TENANT, str(job.id), at=T0, reason="not needed")

    assert cancelled.status is JobStatus.CANCELLED
    assert world.app.queue_position(TENANT, job.id, at=T0) is None
    assert world.deliver(ready()).value == "handled"
    assert world.status(job.id) == "cancelled"


def test_cancelling_a_finished_job_is_an_illegal_transition(world: World) -> None:
    job = world.submit()
    world.app.cancel(TENANT, job.id, at=T0)
    with pytest.raises(IllegalTransition):
        world.app.cancel(TENANT, job.id, at=T0)


def test_cancelling_a_running_job_cancels_its_step_on_emr(world: World) -> None:
    job = world.submit()
    world.deliver(ready())
    step_id = world.job(job.id).step_id

    world.app.cancel(TENANT, job.id, at=world.advance(5))

    assert world.runner.cancelled == [step_id]
    assert world.runner.steps[step_id or ""].status.state == "CANCELLED"


def test_a_burst_is_dispatched_by_priority_then_fifo(world: World) -> None:
    # Given a burst of jobs of mixed priorities, one second apart
    priorities = ["low", "normal", "critical", "high", "normal", "critical", "low", "high"]
    jobs = []
    for priority in priorities:
        jobs.append(world.submit(priority=priority))
        world.advance(1)
    # When a cluster with a slot for each comes up
    allocated = world.app.cluster_ready("c-1", "spark-small", "j-A", len(jobs), at=world.now)
    # Then the slots went critical, high, normal, low, first come first within each
    order = [world.job(job_id).priority for job_id in allocated]
    assert order == ["critical", "critical", "high", "high", "normal", "normal", "low", "low"]
    by_slot = {world.job(job_id).slot: job_id for job_id in allocated}
    critical = [job.id for job in jobs if job.priority == "critical"]
    assert [by_slot[0], by_slot[1]] == critical


def test_queue_position_counts_the_jobs_before(world: World) -> None:
    first, second = world.submit(), world.submit()
    assert world.app.queue_position(TENANT, first.id, at=T0) == 0
    assert world.app.queue_position(TENANT, second.id, at=T0) == 1


def test_profiles_are_created_once_listed_by_name_and_updated(world: World) -> None:
    world.app.create_profile("a-scoring", profile_terms(job_type="scoring"), at=T0)
    with pytest.raises(ProfileExists):
        world.app.create_profile(PROFILE, profile_terms(), at=T0)

    world.app.update_profile("a-scoring", profile_terms(job_type="scoring", max_attempts=5), at=T0)

    assert [p.name for p in world.app.list_profiles()] == ["a-scoring", PROFILE]
    assert world.app.get_profile("a-scoring").terms.max_attempts == 5
    with pytest.raises(ProfileNotFound):
        world.app.get_profile("missing")
    with pytest.raises(ProfileNotFound):
        world.app.update_profile("missing", profile_terms(), at=T0)


def test_jobs_keep_the_terms_they_were_submitted_with(world: World) -> None:
    job = world.submit()
    world.app.update_profile(PROFILE, profile_terms(max_attempts=7, timeout_seconds=60), at=T0)
    assert (world.job(job.id).max_attempts, world.job(job.id).timeout_seconds) == (3, 600)


def test_ids_that_could_never_be_published_are_refused(world: World) -> None:
    # The integration events' Identifier is printable ASCII without spaces: a job or profile
    # stored with another id would block the relay, so it is refused on the way in.
    with pytest.raises(InvalidJob):
        world.app.submit("tenant one", PROFILE, "job", {"date": "d"}, at=T0)
    with pytest.raises(ProfileError):
        world.app.create_profile("my profile", profile_terms(), at=T0)
    with pytest.raises(ProfileError):
        world.app.update_profile(PROFILE, profile_terms(cluster_profile="spark small"), at=T0)
