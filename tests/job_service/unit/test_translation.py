"""translate(notification, event_id): stored Job events → integration events, every field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

from eventsourcing.persistence import Notification

from events.schemas import (
    JobAllocated,
    JobCancelled,
    JobFailed,
    JobRequeued,
    JobStarted,
    JobSubmitted,
    JobSucceeded,
)
from job_service.application import JobEventTranslator
from tests.job_service.application_support import (
    CLUSTER_PROFILE,
    PROFILE,
    T0,
    TENANT,
    World,
    ready,
    rejected,
    step_event,
)


def log(world: World) -> list[Notification]:
    return list(world.app.recorder.select_notifications(start=1, limit=1000))


def translated(world: World, translate: Any = None) -> list[Any]:
    translate = translate or world.service.translate
    return [translate(n, str(uuid4())) for n in log(world)]


def job_events(world: World) -> list[Any]:
    return [e for e in translated(world) if e is not None]


def test_a_job_that_fails_for_good_is_announced_field_by_field() -> None:
    # Given a job refunded once (rejected), then failing both its counted attempts
    world = World(max_attempts=2)
    job = world.submit(priority="high", parameters={"date": "2024-02-01"})
    world.deliver(ready("c-1", emr="j-ONE"))
    first_step = world.job(job.id).step_id or ""
    world.deliver(rejected(job.id, "c-1", attempt=1))
    world.app.tick(world.advance(1))
    second_step = world.job(job.id).step_id or ""
    world.deliver(step_event(second_step, "FAILED", emr="j-ONE", message="exit 1"))
    world.app.tick(world.advance(31))
    third_step = world.job(job.id).step_id or ""
    world.deliver(step_event(third_step, "FAILED", emr="j-ONE"))
    t1, t31 = T0 + timedelta(seconds=1), T0 + timedelta(seconds=32)
    ids = {"job_id": str(job.id), "tenant_id": TENANT}

    # Then every event carries the fields of what happened, and its time
    events = [e.model_dump(exclude={"event_id"}) for e in job_events(world)]
    assert events == [
        {
            **ids,
            "occurred_at": T0,
            "schema_version": 1,
            "job_profile": PROFILE,
            "cluster_profile": CLUSTER_PROFILE,
            "priority": "high",
            "name": "nightly",
            "parameters": {"date": "2024-02-01"},
            "max_attempts": 2,
            "timeout_seconds": 600,
            "submitted_at": T0,
        },
        {
            **ids,
            "occurred_at": T0,
            "schema_version": 1,
            "cluster_id": "c-1",
            "cluster_profile": CLUSTER_PROFILE,
            "attempt": 1,
            "slot": 0,
        },
        {
            **ids,
            "occurred_at": T0,
            "schema_version": 1,
            "cluster_id": "c-1",
            "step_id": first_step,
            "attempt": 1,
        },
        {
            **ids,
            "occurred_at": T0,
            "schema_version": 1,
            "reason": "allocation_rejected",
            "attempt": 1,
            "cluster_id": "c-1",
            "retry_at": T0,
        },
        {
            **ids,
            "occurred_at": t1,
            "schema_version": 1,
            "cluster_id": "c-1",
            "cluster_profile": CLUSTER_PROFILE,
            "attempt": 1,
            "slot": 0,
        },
        {
            **ids,
            "occurred_at": t1,
            "schema_version": 1,
            "cluster_id": "c-1",
            "step_id": second_step,
            "attempt": 1,
        },
        {
            **ids,
            "occurred_at": t1,
            "schema_version": 1,
            "reason": "step_failed",
            "attempt": 1,
            "cluster_id": "c-1",
            "retry_at": t1 + timedelta(seconds=30),
        },
        {
            **ids,
            "occurred_at": t31,
            "schema_version": 1,
            "cluster_id": "c-1",
            "cluster_profile": CLUSTER_PROFILE,
            "attempt": 2,
            "slot": 0,
        },
        {
            **ids,
            "occurred_at": t31,
            "schema_version": 1,
            "cluster_id": "c-1",
            "step_id": third_step,
            "attempt": 2,
        },
        {
            **ids,
            "occurred_at": t31,
            "schema_version": 1,
            "cluster_id": "c-1",
            "step_id": third_step,
            "attempt": 2,
            "reason": "the EMR step failed",
            "final": True,
        },
    ]
    types = [type(e) for e in job_events(world)]
    assert types == [
        JobSubmitted,
        JobAllocated,
        JobStarted,
        JobRequeued,
        JobAllocated,
        JobStarted,
        JobRequeued,
        JobAllocated,
        JobStarted,
        JobFailed,
    ]


def test_success_and_cancellation_are_announced() -> None:
    world = World()
    done, dropped = world.submit(), world.submit()
    world.deliver(ready("c-1"))
    step_id = world.job(done.id).step_id or ""
    world.deliver(step_event(step_id, "COMPLETED"))
    world.app.cancel(TENANT, dropped.id, at=world.advance(5), reason="no longer needed")

    succeeded, cancelled = job_events(world)[-2:]
    assert isinstance(succeeded, JobSucceeded)
    assert (succeeded.cluster_id, succeeded.step_id, succeeded.attempt) == ("c-1", step_id, 1)
    assert cancelled == JobCancelled(
        event_id=cancelled.event_id,
        occurred_at=world.now,
        job_id=str(dropped.id),
        tenant_id=TENANT,
        cluster_id=None,
        reason="no longer needed",
    )


def test_internal_events_are_not_published() -> None:
    world = World()
    world.submit()
    world.deliver(ready("c-1"))
    pairs = zip(log(world), translated(world), strict=True)
    topics = [n.topic.rsplit(".", 1)[-1] for n, e in pairs if e is None]
    assert topics == [
        "Registered",
        "Updated",
        "Started",
        "Added",  # the profile and the profile index
        "Queued",
        "Registered",
        "Dispatched",  # the job's queueing; the known cluster
    ]


def test_the_event_id_given_is_used_and_a_retranslation_is_equal() -> None:
    world = World()
    world.submit()
    world.deliver(ready("c-1"))
    notification = log(world)[-1]
    first = world.service.translate(notification, "0b0e9ae5-0000-4000-8000-000000000001")
    again = world.service.translate(notification, "0b0e9ae5-0000-4000-8000-000000000001")
    assert first is not None and first.event_id == "0b0e9ae5-0000-4000-8000-000000000001"
    assert first == again


def test_a_translator_that_starts_mid_log_or_goes_back_reads_the_job_from_the_store() -> None:
    # Given a job that ran, and a fresh translator (a new relay process) seeing the log backwards
    world = World()
    job = world.submit()
    world.deliver(ready("c-1"))
    world.deliver(step_event(world.job(job.id).step_id or "", "COMPLETED"))
    fresh = JobEventTranslator(world.app.mapper, world.app.repository)
    backwards = [fresh(n, str(uuid4())) for n in reversed(log(world))]
    # Then it announces the same as the in-order translator
    strip = {"event_id"}
    assert [e.model_dump(exclude=strip) for e in reversed(backwards) if e] == [
        e.model_dump(exclude=strip) for e in job_events(world)
    ]


def test_a_long_emr_failure_message_is_cut_to_fit_the_reason_field() -> None:
    world = World(max_attempts=1)
    job = world.submit()
    world.deliver(ready("c-1"))
    long_message = "java.lang.OutOfMemoryError " * 200
    world.deliver(step_event(world.job(job.id).step_id or "", "FAILED", message=long_message))
    final = job_events(world)[-1]
    assert isinstance(final, JobFailed)
    assert final.reason == long_message[:2048]
