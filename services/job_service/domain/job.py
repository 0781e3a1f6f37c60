"""The Job aggregate: one tenant's analytics job, from submission to its one terminal state.

SUBMITTED -> QUEUED -> ALLOCATED -> RUNNING -> SUCCEEDED | FAILED | CANCELLED; ALLOCATED or
RUNNING -> QUEUED when an attempt ends without success and the job may run again.

Attempts: `allocate` begins attempt `attempts + 1`. An allocation that ends before its step
could run (the cluster service rejected it, or its cluster was lost while ALLOCATED) is
*refunded*: the attempt number is given back and the job goes to the HEAD of its queue, eligible
at once. Every other attempt that ends without success *counts*: the job backs off (see
`backoff.backoff`: 30 s * 2**(n-1), capped at 15 min) and retries while attempts <
max_attempts, else it is FAILED. Cancelled and interrupted EMR steps, a lost cluster while
RUNNING, and a timeout all count; none is ever a success.

Signals (EMR step states, cluster lost, allocation rejected) name the step, cluster or attempt
they are about. One that does not match the job's current attempt (an old attempt's late event,
a duplicate, anything after a terminal state) raises StaleSignal and changes nothing: the caller
acknowledges and drops it. Commands the status forbids raise IllegalTransition.

Every method takes the time as `at`, which becomes the stored event's timestamp.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from job_service.domain.backoff import backoff
from job_service.domain.errors import IllegalTransition, StaleSignal
from job_service.domain.lifecycle import (
    HOLDS_SLOT,
    TERMINAL,
    JobStatus,
    JobTerms,
    StepRef,
    Wait,
    aware,
)
from job_service.domain.values import Priority


class Job(Aggregate):
    """A job; create it with `Job.submit`. cluster_id/slot/step_id describe the current attempt
    (cleared when the job goes back to the queue, kept as the last attempt's once terminal)."""

    class Submitted(Aggregate.Created):
        """Version 2 added `step_args`, the step as rendered at acceptance (version 1: None);
        version 3 `request_digest`, what a repeated idempotency key's request is compared with
        (None before, and for a job submitted without a key)."""

        class_version = 3
        tenant_id: str
        name: str
        job_profile: str
        cluster_profile: str
        priority: str
        timeout_seconds: int
        max_attempts: int
        parameters: dict[str, Any]
        step_args: list[str] | None
        request_digest: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["step_args"] = None

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["request_digest"] = None

    def __init__(
        self,
        tenant_id: str,
        name: str,
        job_profile: str,
        cluster_profile: str,
        priority: Priority,
        timeout_seconds: int,
        max_attempts: int,
        parameters: dict[str, Any],
        step_args: list[str] | None = None,
        request_digest: str | None = None,
    ) -> None:
        self.tenant_id, self.name, self.priority = tenant_id, name, priority
        self.request_digest = request_digest
        self.step_args = None if step_args is None else list(step_args)
        self.job_profile, self.cluster_profile = job_profile, cluster_profile
        self.max_attempts, self.timeout_seconds = max_attempts, timeout_seconds
        self.parameters = dict(parameters)
        self.status, self.attempts = JobStatus.SUBMITTED, 0
        self.cluster_id: str | None = None
        self.slot: int | None = None
        self.step_id: str | None = None
        self.submitted_at: datetime = self.created_on
        self.queued_at: datetime | None = None
        self.allocated_at: datetime | None = None
        self.started_at: datetime | None = None
        self.finished_at: datetime | None = None
        self.retry_at: datetime | None = None
        self.failure_reason: str | None = None
        self.step_to_cancel: StepRef | None = None
        self.waits: list[Wait] = []

    @classmethod
    def submit(
        cls, job_id: UUID, terms: JobTerms, at: datetime, request_digest: str | None = None
    ) -> Job:
        """A new SUBMITTED job (the API's 202 waits for this event to be stored);
        `request_digest` identifies the request that made it under an idempotency key."""
        fields = terms.as_fields() | {"request_digest": request_digest}
        return cls._create(cls.Submitted, id=job_id, timestamp=aware(at), **fields)

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def deadline(self) -> datetime | None:
        """When the current attempt times out (from start, or from allocation if not started)."""
        began = self.started_at if self.status is JobStatus.RUNNING else self.allocated_at
        if self.status not in HOLDS_SLOT or began is None:
            return None
        return began + timedelta(seconds=self.timeout_seconds)

    # Commands of the job service itself.

    def enqueue(self, at: datetime) -> None:
        """SUBMITTED -> QUEUED: the job enters its cluster profile's queue."""
        self._require("enqueue", JobStatus.SUBMITTED)
        self.trigger_event(self.Queued, timestamp=aware(at))

    def allocate(self, cluster_id: str, slot: int, at: datetime) -> None:
        """QUEUED -> ALLOCATED: attempt `attempts + 1` gets a slot; not before retry_at."""
        self._require("allocate", JobStatus.QUEUED)
        if self.retry_at is not None and aware(at) < self.retry_at:
            raise IllegalTransition("allocate", self.status, f"backing off until {self.retry_at}")
        fields = {"cluster_id": cluster_id, "slot": slot, "attempt": self.attempts + 1}
        self.trigger_event(self.Allocated, timestamp=aware(at), **fields)

    def start(self, step_id: str, at: datetime) -> None:
        """ALLOCATED -> RUNNING: the attempt's EMR step was added."""
        self._require("start", JobStatus.ALLOCATED)
        self.trigger_event(self.Started, timestamp=aware(at), step_id=step_id)

    def cancel(self, at: datetime, reason: str | None = None) -> None:
        """Any non-terminal status -> CANCELLED; a running step is recorded in step_to_cancel."""
        if self.is_terminal:
            raise IllegalTransition("cancel", self.status)
        step = self.step_id if self.status is JobStatus.RUNNING else None
        fields = {"reason": reason, "cluster_id": self.cluster_id, "step_to_cancel": step}
        self.trigger_event(self.Cancelled, timestamp=aware(at), **fields)

    def check_timeout(self, at: datetime) -> bool:
        """End the current attempt as failed if its deadline has passed; True if it did."""
        deadline = self.deadline
        if deadline is None or aware(at) < deadline:
            return False
        message = f"attempt {self.attempts} ran past its {self.timeout_seconds} s timeout"
        self._end_attempt("timeout", at, message, cancel_step=self.step_id)
        return True

    # Signals from EMR and the cluster service.

    def step_succeeded(self, step_id: str, at: datetime) -> None:
        """RUNNING -> SUCCEEDED if `step_id` is the current attempt's step (EMR COMPLETED)."""
        self._require_current_step("step_succeeded", step_id)
        self.trigger_event(self.Succeeded, timestamp=aware(at), attempt=self.attempts)

    def step_failed(self, step_id: str, at: datetime, message: str | None = None) -> None:
        """EMR FAILED: a counted attempt (retry or FAILED)."""
        self._require_current_step("step_failed", step_id)
        self._end_attempt("step_failed", at, message or "the EMR step failed")

    def step_cancelled(self, step_id: str, at: datetime) -> None:
        """EMR CANCELLED outside a job cancel: a counted attempt, never a success."""
        self._require_current_step("step_cancelled", step_id)
        self._end_attempt("step_interrupted", at, "the EMR step was cancelled")

    def step_interrupted(self, step_id: str, at: datetime) -> None:
        """EMR INTERRUPTED: a counted attempt, never a success."""
        self._require_current_step("step_interrupted", step_id)
        self._end_attempt("step_interrupted", at, "the EMR step was interrupted")

    def cluster_lost(self, cluster_id: str, at: datetime, *, cancel_step: bool = False) -> None:
        """The job's cluster is gone: refunded if ALLOCATED, counted if RUNNING. `cancel_step`
        when the cluster may still be running it (declared unhealthy, not seen to end)."""
        if self.status not in HOLDS_SLOT or cluster_id != self.cluster_id:
            raise StaleSignal("cluster_lost", f"job is {self.status} on {self.cluster_id}")
        counted = self.status is JobStatus.RUNNING
        step = self.step_id if cancel_step else None
        message = f"cluster {cluster_id} was lost"
        self._end_attempt("cluster_lost", at, message, counted=counted, cancel_step=step)

    def reject_allocation(self, cluster_id: str, attempt: int, at: datetime) -> None:
        """The cluster service refused allocation (cluster_id, attempt): refunded, to the head."""
        if self.status not in HOLDS_SLOT or (cluster_id, attempt) != (
            self.cluster_id,
            self.attempts,
        ):
            detail = f"job is {self.status}, attempt {self.attempts} on {self.cluster_id}"
            raise StaleSignal("reject_allocation", detail)
        message, step = f"cluster {cluster_id} rejected the allocation", self.step_id
        self._end_attempt("allocation_rejected", at, message, counted=False, cancel_step=step)

    # Rules shared by the commands.

    def _require(self, command: str, status: JobStatus) -> None:
        if self.status is not status:
            raise IllegalTransition(command, self.status)

    def _require_current_step(self, signal: str, step_id: str) -> None:
        if self.status is not JobStatus.RUNNING or step_id != self.step_id:
            raise StaleSignal(signal, f"job is {self.status} with step {self.step_id}")

    def _end_attempt(
        self,
        reason: str,
        at: datetime,
        message: str,
        *,
        counted: bool = True,
        cancel_step: str | None = None,
    ) -> None:
        """The attempt ended without success: refunded or counted, then retried or FAILED."""
        fields = {"reason": reason, "message": message, "attempt": self.attempts}
        fields |= {"cluster_id": self.cluster_id, "step_to_cancel": cancel_step}
        if counted and self.attempts >= self.max_attempts:
            self.trigger_event(self.Failed, timestamp=aware(at), **fields)
            return
        retry_at = at + backoff(self.attempts) if counted else at
        self.trigger_event(
            self.Requeued, timestamp=aware(at), counted=counted, retry_at=retry_at, **fields
        )

    # Events: each applies one fact to the job.

    class Queued(Aggregate.Event):
        def apply(self, job: Job) -> None:
            job.status, job.queued_at = JobStatus.QUEUED, self.timestamp

    class Allocated(Aggregate.Event):
        cluster_id: str
        slot: int
        attempt: int

        def apply(self, job: Job) -> None:
            assert job.queued_at is not None
            since = max(job.queued_at, job.retry_at or job.queued_at)
            job.waits.append(Wait(since, self.timestamp))
            job.status, job.attempts = JobStatus.ALLOCATED, self.attempt
            job.cluster_id, job.slot, job.step_id = self.cluster_id, self.slot, None
            job.allocated_at, job.started_at, job.retry_at = self.timestamp, None, None
            job.step_to_cancel = None

    class Started(Aggregate.Event):
        step_id: str

        def apply(self, job: Job) -> None:
            job.status, job.step_id = JobStatus.RUNNING, self.step_id
            job.started_at = self.timestamp

    class Succeeded(Aggregate.Event):
        attempt: int

        def apply(self, job: Job) -> None:
            job.status, job.finished_at = JobStatus.SUCCEEDED, self.timestamp
            job.failure_reason = None  # an earlier attempt's; the job's history keeps it

    class AttemptEnded(Aggregate.Event):
        """Base of Requeued and Failed: attempt `attempt` ended without success."""

        reason: str
        message: str
        attempt: int
        cluster_id: str | None
        step_to_cancel: str | None
        """A step of the ended attempt that must still be cancelled on EMR, if any."""

        def apply(self, job: Job) -> None:
            job.step_to_cancel = _step_ref(self.cluster_id, self.step_to_cancel)
            job.failure_reason = self.message

    class Requeued(AttemptEnded):
        counted: bool
        """False: a refunded allocation, back to the head of the queue."""
        retry_at: datetime

        def apply(self, job: Job) -> None:
            super().apply(job)
            job.status, job.queued_at = JobStatus.QUEUED, self.timestamp
            job.retry_at = self.retry_at
            job.attempts = self.attempt if self.counted else self.attempt - 1
            job.cluster_id = job.slot = job.step_id = None
            job.allocated_at = job.started_at = None

    class Failed(AttemptEnded):
        def apply(self, job: Job) -> None:
            super().apply(job)
            job.status, job.finished_at = JobStatus.FAILED, self.timestamp

    class Cancelled(Aggregate.Event):
        reason: str | None
        cluster_id: str | None
        step_to_cancel: str | None

        def apply(self, job: Job) -> None:
            job.status, job.finished_at = JobStatus.CANCELLED, self.timestamp
            job.step_to_cancel = _step_ref(self.cluster_id, self.step_to_cancel)


def _step_ref(cluster_id: str | None, step_id: str | None) -> StepRef | None:
    return StepRef(cluster_id, step_id) if cluster_id and step_id else None
