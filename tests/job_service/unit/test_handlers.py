"""Sagas through the consumer's handlers, with the integration events the relay would publish."""

from __future__ import annotations

from datetime import timedelta

import pytest

from events.schemas import (
    Heartbeat,
    JobAllocated,
    JobFailed,
    JobRequeued,
    JobStarted,
    JobSucceeded,
)
from job_service.adapters import StepRunnerUnavailable
from job_service.application import step_name
from tests.job_service.application_support import (
    CLUSTER_PROFILE,
    PROFILE,
    TENANT,
    World,
    failed,
    idle,
    ready,
    rejected,
    step_event,
    terminated,
    unhealthy,
)


@pytest.fixture
def world() -> World:
    return World()


def test_happy_path_from_submission_to_success(world: World) -> None:
    # Given a submitted job
    job = world.submit()
    # When its cluster comes up and EMR reports its step completed
    assert world.deliver(ready("c-1", slots=2, emr="j-ABC")).value == "handled"
    step_id = world.job(job.id).step_id or ""
    assert world.runner.steps[step_id].emr_cluster_id == "j-ABC"
    world.advance(60)
    assert world.deliver(step_event(step_id, "COMPLETED", emr="j-ABC")).value == "handled"
    # Then the job succeeded, and each step of its life was announced with every field
    assert world.status(job.id) == "succeeded"
    submitted, allocated, started, succeeded = world.published()
    assert submitted.model_dump(include={"job_id", "tenant_id", "job_profile", "priority"}) == {
        "job_id": str(job.id),
        "tenant_id": TENANT,
        "job_profile": PROFILE,
        "priority": "normal",
    }
    assert allocated == JobAllocated(
        event_id=allocated.event_id,
        occurred_at=allocated.occurred_at,
        job_id=str(job.id),
        tenant_id=TENANT,
        cluster_id="c-1",
        cluster_profile=CLUSTER_PROFILE,
        attempt=1,
        slot=0,
    )
    assert isinstance(started, JobStarted)
    assert (started.cluster_id, started.step_id, started.attempt) == ("c-1", step_id, 1)
    assert isinstance(succeeded, JobSucceeded)
    assert (succeeded.cluster_id, succeeded.step_id, succeeded.attempt) == ("c-1", step_id, 1)
    assert succeeded.occurred_at == world.now


def test_the_step_is_named_for_the_job_and_attempt(world: World) -> None:
    job = world.submit("nightly")
    world.deliver(ready())
    step = world.runner.steps[world.job(job.id).step_id or ""]
    assert step.config["Name"] == step_name(world.job(job.id)) == f"nightly [{job.id}#1]"
    assert step.config["HadoopJarStep"]["Args"][-1] == "2024-01-01"


def test_a_rejected_allocation_goes_back_to_the_head_of_its_queue(world: World) -> None:
    # Given three jobs of one priority, the first two running on a two-slot cluster
    first, second, third = world.submit(), world.submit(), world.submit()
    world.deliver(ready("c-1", slots=2))
    old_step = world.job(second.id).step_id
    # When the cluster service rejects the second one's allocation
    world.deliver(rejected(second.id, "c-1", attempt=1))
    # Then it is queued again, its attempt refunded, its step cancelled, ahead of the third
    assert (world.status(second.id), world.job(second.id).attempts) == ("queued", 0)
    assert world.runner.cancelled == [old_step]
    world.deliver(idle("c-1", free_slots=1))
    assert (world.status(second.id), world.job(second.id).attempts) == ("running", 1)
    assert world.status(third.id) == "queued"
    requeued = [e for e in world.published() if isinstance(e, JobRequeued)]
    assert [(e.reason, e.attempt, e.cluster_id) for e in requeued] == [
        ("allocation_rejected", 1, "c-1")
    ]
    assert world.status(first.id) == "running"


def test_a_cluster_that_is_decommissioning_gets_no_more_jobs(world: World) -> None:
    job = world.submit()
    world.deliver(ready("c-1", slots=1))
    world.deliver(rejected(job.id, "c-1", reason="decommissioning"))
    assert world.app.tick(world.advance(1)).allocated == []
    assert world.status(job.id) == "queued"


def test_a_lost_cluster_requeues_its_job_which_later_succeeds(world: World) -> None:
    # Given a job running on c-1
    job = world.submit()
    world.deliver(ready("c-1"))
    # When c-1 terminates, and c-2 comes up before the job's back-off is over
    world.deliver(terminated("c-1"))
    world.deliver(ready("c-2", emr="j-TWO"))
    assert (world.status(job.id), world.job(job.id).attempts) == ("queued", 1)
    # Then the tick after the back-off runs it on c-2, where it succeeds
    assert world.app.tick(world.advance(31)).allocated == [job.id]
    running = world.job(job.id)
    assert (running.cluster_id, running.attempts) == ("c-2", 2)
    world.deliver(step_event(running.step_id or "", "COMPLETED", emr="j-TWO"))
    assert world.status(job.id) == "succeeded"
    requeued = next(e for e in world.published() if isinstance(e, JobRequeued))
    assert (requeued.reason, requeued.cluster_id) == ("cluster_lost", "c-1")


def test_a_cluster_lost_before_the_step_started_refunds_the_attempt(world: World) -> None:
    job = world.submit()
    world.runner.fail_next("add_step", StepRunnerUnavailable("throttled"))
    world.deliver(ready("c-1"))
    assert world.status(job.id) == "allocated"
    world.deliver(failed("c-1", job.id))
    assert (world.status(job.id), world.job(job.id).attempts) == ("queued", 0)


def test_an_unhealthy_cluster_is_lost_for_its_jobs_and_their_steps_cancelled(
    world: World,
) -> None:
    # Given a job running its step on c-1
    job = world.submit()
    world.deliver(ready("c-1"))
    step_id = world.job(job.id).step_id
    # When the monitor declares c-1 unhealthy (it may still be running the step)
    world.deliver(unhealthy("c-1"))
    # Then the job is requeued and its step cancelled, so it never runs twice at once
    assert (world.status(job.id), world.job(job.id).failure_reason) == (
        "queued",
        "cluster c-1 was lost",
    )
    assert world.runner.cancelled == [step_id]


def test_a_terminated_cluster_is_not_asked_to_cancel_steps(world: World) -> None:
    job = world.submit()
    world.deliver(ready("c-1"))
    world.deliver(terminated("c-1"))
    assert world.status(job.id) == "queued"
    assert world.runner.cancelled == []


def test_a_cluster_lost_before_it_was_ready_is_never_used(world: World) -> None:
    job = world.submit()
    world.deliver(terminated("c-1"))
    world.deliver(ready("c-1"))
    assert world.status(job.id) == "queued"


def test_a_failed_step_backs_off_and_retries_until_the_last_attempt_fails() -> None:
    world = World(max_attempts=2)
    job = world.submit()
    world.deliver(ready("c-1"))
    # When the first attempt's step fails
    world.deliver(step_event(world.job(job.id).step_id or "", "FAILED", message="OOM"))
    # Then the job backs off: a slot free before retry_at does not take it
    assert world.status(job.id) == "queued"
    world.advance(10)
    world.deliver(idle("c-1"))
    assert world.status(job.id) == "queued"
    # And after the back-off the tick runs it again; the last attempt's failure is final
    assert world.app.tick(world.advance(21)).allocated == [job.id]
    world.deliver(step_event(world.job(job.id).step_id or "", "FAILED"))
    assert world.status(job.id) == "failed"
    published = world.published()
    requeued = next(e for e in published if isinstance(e, JobRequeued))
    assert (requeued.reason, requeued.attempt) == ("step_failed", 1)
    final = published[-1]
    assert isinstance(final, JobFailed)
    assert (final.final, final.attempt, final.cluster_id) == (True, 2, "c-1")


def test_a_timed_out_step_is_cancelled_and_the_job_retried(world: World) -> None:
    job = world.submit()
    world.deliver(ready("c-1"))
    step_id = world.job(job.id).step_id
    # When the tick runs past the attempt's 600 s timeout
    report = world.app.tick(world.advance(601))
    # Then the attempt ended, its step was cancelled on EMR, and the job waits to retry
    assert report.timed_out == [job.id]
    assert world.runner.cancelled == [step_id]
    assert (world.status(job.id), world.job(job.id).attempts) == ("queued", 1)
    assert world.published_for(job.id)[-1] == "JobRequeued"


def test_a_step_cancel_that_fails_is_retried_by_the_tick(world: World) -> None:
    job = world.submit()
    world.deliver(ready("c-1"))
    step_id = world.job(job.id).step_id
    world.runner.fail_next("cancel_step", StepRunnerUnavailable("HTTP 500"))
    world.app.cancel(TENANT, job.id, at=world.advance(1))
    assert world.runner.cancelled == []
    world.app.tick(world.advance(60))
    assert world.runner.cancelled == [step_id]


def test_a_cluster_emr_refuses_steps_on_is_closed_and_the_job_refunded(world: World) -> None:
    job = world.submit()
    world.runner.gone.add("j-CLUSTER1")
    world.deliver(ready("c-1"))
    assert (world.status(job.id), world.job(job.id).attempts) == ("queued", 0)
    assert world.app.tick(world.advance(1)).allocated == []


def test_a_start_that_failed_is_retried_by_the_tick_without_a_second_step(world: World) -> None:
    # Given a step added on EMR whose start was never recorded (the process died)
    job = world.submit()
    world.runner.fail_next("add_step", StepRunnerUnavailable("connection reset"))
    world.deliver(ready("c-1"))
    added = world.runner.add_step("j-CLUSTER1", {"Name": step_name(world.job(job.id))})
    # When the tick runs after reconcile_after
    assert world.app.tick(world.advance(299)).restarted == []
    assert world.app.tick(world.advance(2)).restarted == [job.id]
    # Then the job runs the step that was found, and no other was added
    assert world.job(job.id).step_id == added
    assert len(world.runner.steps) == 1


def test_a_step_that_ended_unheard_of_is_reconciled_with_describe_step(world: World) -> None:
    job = world.submit()
    world.deliver(ready("c-1"))
    step_id = world.job(job.id).step_id or ""
    world.advance(200)
    world.deliver(step_event(step_id, "RUNNING"))  # heard of at 200 s
    world.runner.set_state(step_id, "COMPLETED")  # ...but its end never arrives
    assert world.app.tick(world.advance(299)).reconciled == []
    assert world.app.tick(world.advance(2)).reconciled == [job.id]
    assert world.status(job.id) == "succeeded"


def test_a_step_nobody_knows_is_acknowledged_and_dropped(world: World) -> None:
    event = step_event("s-UNKNOWN", "COMPLETED")
    assert world.deliver(event).value == "handled"
    assert world.deliver(event).value == "duplicate"


def test_a_late_event_of_an_old_attempt_is_dropped(world: World) -> None:
    job = world.submit()
    world.deliver(ready("c-1"))
    old_step = world.job(job.id).step_id or ""
    world.deliver(step_event(old_step, "FAILED"))
    world.app.tick(world.advance(31))
    # When the old step's late COMPLETED arrives while the retry runs
    world.deliver(step_event(old_step, "COMPLETED"))
    # Then nothing changed
    assert (world.status(job.id), world.job(job.id).attempts) == ("running", 2)


def test_each_tick_beats_and_the_relay_publishes_it_as_the_job_services_heartbeat(
    world: World,
) -> None:
    # When the service ticks twice, a minute apart
    world.service.tick()
    world.advance(60)
    world.service.tick()
    # Then two heartbeats of this process are published, numbered, under the job service
    beats = [e for e in world.published() if isinstance(e, Heartbeat)]
    assert [(b.service, b.sequence) for b in beats] == [("job-service", 1), ("job-service", 2)]
    assert len({b.instance_id for b in beats}) == 1
    assert beats[1].occurred_at - beats[0].occurred_at == timedelta(seconds=60)
