"""Signals from EMR and the cluster service: counted and refunded attempts, timeouts, staleness."""

from collections.abc import Callable

import pytest

from job_service.domain import Job, JobStatus, StaleSignal, StepRef
from tests.job_service.support import allocated, at, last_event, queued, running

STEP_FAILURES: dict[str, Callable[[Job, str], None]] = {
    "failed": lambda job, step: job.step_failed(step, at(100), "exit code 1"),
    "cancelled": lambda job, step: job.step_cancelled(step, at(100)),
    "interrupted": lambda job, step: job.step_interrupted(step, at(100)),
}


@pytest.mark.parametrize("outcome", STEP_FAILURES)
def test_given_attempts_left_when_the_step_does_not_complete_then_requeued_with_backoff(
    outcome: str,
) -> None:
    job = running("s-1", max_attempts=3)

    STEP_FAILURES[outcome](job, "s-1")

    assert (job.status, job.attempts, job.retry_at) == (JobStatus.QUEUED, 1, at(130))
    assert (job.cluster_id, job.slot, job.step_id, job.step_to_cancel) == (None, None, None, None)
    event = last_event(job)
    assert type(event) is Job.Requeued and event.counted and event.cluster_id == "c-1"
    assert event.reason == ("step_failed" if outcome == "failed" else "step_interrupted")


@pytest.mark.parametrize("outcome", STEP_FAILURES)
def test_given_running_job_on_its_last_attempt_when_step_does_not_complete_then_failed(
    outcome: str,
) -> None:
    job = running("s-1", max_attempts=1)

    STEP_FAILURES[outcome](job, "s-1")

    assert (job.status, job.attempts, job.finished_at) == (JobStatus.FAILED, 1, at(100))
    assert job.failure_reason


def test_given_second_attempt_fails_when_requeued_then_back_off_doubles() -> None:
    job = running("s-1", max_attempts=3)
    job.step_failed("s-1", at(100))
    job.allocate("c-1", 0, at(130))
    job.start("s-2", at(131))

    job.step_failed("s-2", at(200))

    assert (job.attempts, job.retry_at) == (2, at(260))


def test_given_allocated_job_when_cluster_lost_then_refunded_to_the_head_at_once() -> None:
    job = allocated("c-1")

    job.cluster_lost("c-1", at(10))

    assert (job.status, job.attempts, job.retry_at) == (JobStatus.QUEUED, 0, at(10))
    assert (type(last_event(job)), last_event(job).counted) == (Job.Requeued, False)


def test_given_running_job_when_cluster_lost_then_the_attempt_counts() -> None:
    job = running("s-1", max_attempts=2)

    job.cluster_lost("c-1", at(10))

    assert (job.status, job.attempts, job.retry_at) == (JobStatus.QUEUED, 1, at(40))
    assert last_event(job).reason == "cluster_lost"


def test_given_running_job_on_last_attempt_when_cluster_lost_then_failed() -> None:
    job = running("s-1", max_attempts=1)
    job.cluster_lost("c-1", at(10))
    assert job.status is JobStatus.FAILED


def test_given_allocated_job_when_allocation_rejected_then_refunded_to_the_head() -> None:
    job = allocated("c-1")

    job.reject_allocation("c-1", 1, at(10))

    assert (job.status, job.attempts, job.retry_at, job.step_to_cancel) == (
        JobStatus.QUEUED,
        0,
        at(10),
        None,
    )
    assert last_event(job).reason == "allocation_rejected"


def test_given_running_job_when_allocation_rejected_then_refunded_and_its_step_cancelled() -> None:
    job = running("s-1", max_attempts=1)

    job.reject_allocation("c-1", 1, at(10))

    assert (job.status, job.attempts) == (JobStatus.QUEUED, 0)
    assert job.step_to_cancel == StepRef("c-1", "s-1")


def test_given_running_job_before_its_deadline_when_timeout_checked_then_nothing() -> None:
    job = running("s-1", timeout_seconds=600)  # started at 3
    version = job.version
    assert job.deadline == at(603)
    assert job.check_timeout(at(602)) is False
    assert job.version == version


def test_given_running_job_at_deadline_when_timeout_checked_then_requeued_step_cancelled() -> None:
    job = running("s-1", timeout_seconds=600)

    assert job.check_timeout(at(603)) is True

    assert (job.status, job.attempts, job.retry_at) == (JobStatus.QUEUED, 1, at(633))
    assert job.step_to_cancel == StepRef("c-1", "s-1")
    assert last_event(job).reason == "timeout"


def test_given_running_job_on_last_attempt_when_timed_out_then_failed_and_step_cancelled() -> None:
    job = running("s-1", timeout_seconds=600, max_attempts=1)

    assert job.check_timeout(at(700)) is True

    assert job.status is JobStatus.FAILED
    assert job.step_to_cancel == StepRef("c-1", "s-1")


def test_given_allocated_job_never_started_when_timeout_passes_then_the_attempt_counts() -> None:
    job = allocated(timeout_seconds=600)  # allocated at 2

    assert job.check_timeout(at(602)) is True

    assert (job.status, job.attempts, job.step_to_cancel) == (JobStatus.QUEUED, 1, None)


@pytest.mark.parametrize("builder", [queued, lambda: _terminal()])
def test_given_a_job_holding_no_slot_when_timeout_checked_then_nothing(
    builder: Callable[[], Job],
) -> None:
    job = builder()
    version = job.version
    assert job.check_timeout(at(10**6)) is False
    assert job.version == version


def _terminal() -> Job:
    job = running("s-1")
    job.step_succeeded("s-1", at(10))
    return job


def _second_attempt_running() -> Job:
    """Attempt 1 ran step s-1 on c-1 and failed; attempt 2 runs step s-2 on c-2."""
    job = running("s-1", max_attempts=3)
    job.step_failed("s-1", at(100))
    job.allocate("c-2", 0, at(200))
    job.start("s-2", at(201))
    return job


STALE: dict[str, Callable[[Job], None]] = {
    "old step succeeded": lambda job: job.step_succeeded("s-1", at(300)),
    "old step failed": lambda job: job.step_failed("s-1", at(300)),
    "old step cancelled": lambda job: job.step_cancelled("s-1", at(300)),
    "old step interrupted": lambda job: job.step_interrupted("s-1", at(300)),
    "old cluster lost": lambda job: job.cluster_lost("c-1", at(300)),
    "old allocation rejected": lambda job: job.reject_allocation("c-1", 1, at(300)),
    "rejection of wrong attempt": lambda job: job.reject_allocation("c-2", 1, at(300)),
}


@pytest.mark.parametrize("signal", STALE)
def test_given_a_second_attempt_when_a_signal_of_the_first_arrives_then_stale_and_no_change(
    signal: str,
) -> None:
    job = _second_attempt_running()
    version = job.version

    with pytest.raises(StaleSignal):
        STALE[signal](job)

    assert (job.status, job.version, job.step_id, job.attempts) == (
        JobStatus.RUNNING,
        version,
        "s-2",
        2,
    )


@pytest.mark.parametrize(
    "signal",
    [
        lambda job: job.step_succeeded("s-1", at(20)),
        lambda job: job.step_failed("s-1", at(20)),
        lambda job: job.cluster_lost("c-1", at(20)),
        lambda job: job.reject_allocation("c-1", 1, at(20)),
    ],
)
def test_given_a_succeeded_job_when_a_duplicate_or_late_signal_then_stale_still_succeeded(
    signal: Callable[[Job], None],
) -> None:
    job = _terminal()
    version = job.version

    with pytest.raises(StaleSignal):
        signal(job)

    assert (job.status, job.version) == (JobStatus.SUCCEEDED, version)


def test_given_a_cancelled_job_when_its_step_completes_late_then_stale_and_still_cancelled() -> (
    None
):
    job = running("s-1")
    job.cancel(at(10))

    with pytest.raises(StaleSignal):
        job.step_succeeded("s-1", at(11))

    assert job.status is JobStatus.CANCELLED


def test_given_allocated_job_when_a_step_signal_arrives_then_stale() -> None:
    job = allocated()
    with pytest.raises(StaleSignal):
        job.step_succeeded("s-1", at(5))
