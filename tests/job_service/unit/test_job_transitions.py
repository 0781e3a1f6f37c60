"""The Job aggregate's commands: each legal transition, each illegal one, and the back-off rule."""

from datetime import datetime, timedelta
from functools import reduce
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import Application

from job_service.domain import (
    IllegalTransition,
    InvalidJob,
    Job,
    JobStatus,
    StepRef,
    Wait,
    backoff,
)
from tests.job_service.support import allocated, at, last_event, queued, running, submitted, terms


def test_given_terms_when_submitted_then_job_is_submitted_at_the_given_time() -> None:
    job = Job.submit(uuid4(), terms(priority="high"), at(0))

    assert job.status is JobStatus.SUBMITTED
    assert (job.submitted_at, job.priority, job.attempts) == (at(0), "high", 0)
    assert job.parameters == {"date": "2024-01-01"}
    assert type(last_event(job)) is Job.Submitted and last_event(job).timestamp == at(0)


@pytest.mark.parametrize(
    "bad",
    [{"priority": "urgent"}, {"max_attempts": 0}, {"max_attempts": 1001}, {"timeout_seconds": 0}],
)
def test_given_out_of_range_terms_when_built_then_invalid_job(bad: dict[str, object]) -> None:
    with pytest.raises(InvalidJob):
        terms(**bad)


def test_given_a_naive_time_when_submitted_then_invalid_job() -> None:
    with pytest.raises(InvalidJob, match="timezone-aware"):
        Job.submit(uuid4(), terms(), datetime(2024, 1, 1))


def test_given_submitted_job_when_enqueued_then_queued() -> None:
    job = submitted()
    job.enqueue(at(1))
    assert (job.status, job.queued_at) == (JobStatus.QUEUED, at(1))


def test_given_queued_job_when_allocated_then_it_holds_the_slot_for_attempt_1() -> None:
    job = queued()
    job.allocate("c-1", 2, at(5))

    assert job.status is JobStatus.ALLOCATED
    assert (job.cluster_id, job.slot, job.attempts, job.allocated_at) == ("c-1", 2, 1, at(5))
    assert job.waits == [Wait(at(1), at(5))] and job.waits[0].seconds == 4
    assert last_event(job).attempt == 1


def test_given_allocated_job_when_started_then_running_with_its_step() -> None:
    job = allocated()
    job.start("s-42", at(3))
    assert (job.status, job.step_id, job.started_at) == (JobStatus.RUNNING, "s-42", at(3))


def test_given_running_job_when_its_step_succeeds_then_succeeded() -> None:
    job = running("s-1")
    job.step_succeeded("s-1", at(10))
    assert (job.status, job.finished_at, job.is_terminal) == (JobStatus.SUCCEEDED, at(10), True)
    assert (job.cluster_id, job.step_id) == ("c-1", "s-1")  # the last attempt, for the record


@pytest.mark.parametrize("status", ["submitted", "queued", "allocated"])
def test_given_a_job_not_running_when_cancelled_then_cancelled_with_no_step_to_cancel(
    status: str,
) -> None:
    job = {"submitted": submitted, "queued": queued, "allocated": allocated}[status]()
    job.cancel(at(9), reason="tenant asked")

    assert (job.status, job.finished_at, job.step_to_cancel) == (JobStatus.CANCELLED, at(9), None)
    expected_cluster = "c-1" if status == "allocated" else None
    assert (last_event(job).cluster_id, last_event(job).reason) == (
        expected_cluster,
        "tenant asked",
    )


def test_given_running_job_when_cancelled_then_its_step_is_to_be_cancelled() -> None:
    job = running("s-7")
    job.cancel(at(9))
    assert job.status is JobStatus.CANCELLED
    assert job.step_to_cancel == StepRef("c-1", "s-7")


def _succeeded() -> Job:
    job = running("s-1")
    job.step_succeeded("s-1", at(10))
    return job


def _failed() -> Job:
    job = running("s-1", max_attempts=1)
    job.step_failed("s-1", at(10))
    return job


def _cancelled() -> Job:
    job = queued()
    job.cancel(at(10))
    return job


BUILDERS = {
    "submitted": submitted,
    "queued": queued,
    "allocated": allocated,
    "running": running,
    "succeeded": _succeeded,
    "failed": _failed,
    "cancelled": _cancelled,
}
COMMANDS = {
    "enqueue": lambda job: job.enqueue(at(20)),
    "allocate": lambda job: job.allocate("c-9", 0, at(20)),
    "start": lambda job: job.start("s-9", at(20)),
    "cancel": lambda job: job.cancel(at(20)),
}
LEGAL = {
    ("submitted", "enqueue"),
    ("queued", "allocate"),
    ("allocated", "start"),
    ("submitted", "cancel"),
    ("queued", "cancel"),
    ("allocated", "cancel"),
    ("running", "cancel"),
}
ILLEGAL = [(s, c) for s in BUILDERS for c in COMMANDS if (s, c) not in LEGAL]


@pytest.mark.parametrize(("status", "command"), ILLEGAL)
def test_given_a_status_when_a_command_it_forbids_then_illegal_transition_and_no_change(
    status: str, command: str
) -> None:
    job = BUILDERS[status]()
    version = job.version

    with pytest.raises(IllegalTransition) as raised:
        COMMANDS[command](job)

    assert (raised.value.status, raised.value.command) == (status, command)
    assert f"cannot {command} a job that is {status}" in str(raised.value)
    assert (job.status, job.version) == (status, version)


@pytest.mark.parametrize(
    ("attempt", "seconds"),
    [(1, 30), (2, 60), (3, 120), (4, 240), (5, 480), (6, 900), (7, 900), (1000, 900)],
)
def test_given_counted_attempt_n_when_it_fails_then_back_off_is_30s_doubling_capped_at_15min(
    attempt: int, seconds: int
) -> None:
    assert backoff(attempt) == timedelta(seconds=seconds)


def test_given_attempt_0_when_backoff_asked_then_value_error() -> None:
    with pytest.raises(ValueError, match="attempt"):
        backoff(0)


def test_given_a_job_backing_off_when_allocated_early_then_illegal_and_at_retry_at_allowed() -> (
    None
):
    job = running("s-1")
    job.step_failed("s-1", at(100))  # retry_at = 130
    with pytest.raises(IllegalTransition, match="backing off"):
        job.allocate("c-2", 0, at(129))

    job.allocate("c-2", 0, at(130))

    assert (job.attempts, job.cluster_id) == (2, "c-2")
    assert job.waits[-1] == Wait(at(130), at(130))  # the wait counts from retry_at


def test_given_a_job_when_its_events_are_replayed_then_the_same_job() -> None:
    job = running("s-1")
    job.step_failed("s-1", at(100))
    job.allocate("c-2", 1, at(200))
    events = job.collect_events()

    replayed = reduce(lambda aggregate, event: event.mutate(aggregate), events, None)

    assert replayed == job


def test_given_a_job_when_saved_and_read_back_through_an_application_then_equal() -> None:
    app: Application[UUID] = Application()
    job = running("s-1")
    job.reject_allocation("c-1", 1, at(50))
    job.allocate("c-2", 0, at(60))
    app.save(job)

    copy: Job = app.repository.get(job.id)

    assert isinstance(copy, Job)
    assert (copy.status, copy.attempts, copy.waits, copy.retry_at) == (
        job.status,
        job.attempts,
        job.waits,
        job.retry_at,
    )
