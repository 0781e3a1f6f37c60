"""The relay's `translate` for the job service: stored Job events → integration events.

Published: Submitted → JobSubmitted, Allocated → JobAllocated, Started → JobStarted,
Succeeded → JobSucceeded, Requeued → JobRequeued (any attempt that ends with a retry,
refunded or counted), Failed → JobFailed (final=True: the last attempt failed),
Cancelled → JobCancelled; Beacon.Beat (backbone.heartbeat) → Heartbeat. Internal (None):
Job.Queued, Beacon.Lit and every event of JobProfile, KnownCluster and ProfileIndex.

Only Submitted carries the job's tenant and cluster profile, and Started carries neither the
cluster nor the attempt, so each event is translated with the job as it was right after it
(`backbone.messaging.translating.AtVersion`: a small cache moves a job forward as the relay
reads its events in order; anything else is read from the store, at most a job's few events).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final
from uuid import UUID

from eventsourcing.application import Repository
from eventsourcing.persistence import Mapper, Notification

from backbone.heartbeat import Beacon, heartbeat_of
from backbone.messaging.translating import Announced, AtVersion
from events.schemas import (
    IntegrationEvent,
    JobAllocated,
    JobCancelled,
    JobFailed,
    JobRequeued,
    JobStarted,
    JobSubmitted,
    JobSucceeded,
)
from job_service.domain import Job

MAX_REASON: Final = 2048


class JobEventTranslator:
    """`translate(notification, event_id)`, as backbone.messaging.relay.Translate says."""

    def __init__(self, mapper: Mapper[UUID], repository: Repository[UUID]) -> None:
        self._events = Announced(mapper, _announced)
        self._jobs = AtVersion(repository)

    def __call__(self, notification: Notification, event_id: str) -> IntegrationEvent | None:
        event: Any = self._events.event(notification)
        if event is None:
            return None
        if isinstance(event, Beacon.Beat):
            return heartbeat_of(event, event_id)
        found = _FIELDS.get(type(event))
        if found is None:
            return None
        model, fields = found
        job: Job = self._jobs.after(event)
        common = {"event_id": event_id, "occurred_at": event.timestamp}
        common |= {"job_id": str(job.id), "tenant_id": job.tenant_id}
        return model.model_validate(common | fields(event, job))


Fields = Callable[[Any, Job], dict[str, Any]]


def _submitted(e: Job.Submitted, job: Job) -> dict[str, Any]:
    return {
        "job_profile": e.job_profile,
        "cluster_profile": e.cluster_profile,
        "priority": e.priority,
        "name": e.name,
        "parameters": e.parameters,
        "max_attempts": e.max_attempts,
        "timeout_seconds": e.timeout_seconds,
        "submitted_at": e.timestamp,
    }


def _allocated(e: Job.Allocated, job: Job) -> dict[str, Any]:
    return {
        "cluster_id": e.cluster_id,
        "cluster_profile": job.cluster_profile,
        "attempt": e.attempt,
        "slot": e.slot,
    }


def _started(e: Job.Started, job: Job) -> dict[str, Any]:
    return {"cluster_id": job.cluster_id, "step_id": e.step_id, "attempt": job.attempts}


def _succeeded(e: Job.Succeeded, job: Job) -> dict[str, Any]:
    return {"cluster_id": job.cluster_id, "step_id": job.step_id, "attempt": e.attempt}


def _requeued(e: Job.Requeued, job: Job) -> dict[str, Any]:
    return {
        "reason": e.reason,
        "attempt": e.attempt,
        "cluster_id": e.cluster_id,
        "retry_at": e.retry_at,
    }


def _failed(e: Job.Failed, job: Job) -> dict[str, Any]:
    return {
        "cluster_id": e.cluster_id,
        "step_id": job.step_id,
        "attempt": e.attempt,
        "reason": _reason(e.message),
        "final": True,
    }


def _cancelled(e: Job.Cancelled, job: Job) -> dict[str, Any]:
    return {"cluster_id": e.cluster_id, "reason": _reason(e.reason)}


def _reason(text: str | None) -> str | None:
    """A Reason fits 1 to 2048 characters: an EMR message or an operator's may be longer."""
    return text[:MAX_REASON] if text else None


_FIELDS: Final[dict[type, tuple[type[IntegrationEvent], Fields]]] = {
    Job.Submitted: (JobSubmitted, _submitted),
    Job.Allocated: (JobAllocated, _allocated),
    Job.Started: (JobStarted, _started),
    Job.Succeeded: (JobSucceeded, _succeeded),
    Job.Requeued: (JobRequeued, _requeued),
    Job.Failed: (JobFailed, _failed),
    Job.Cancelled: (JobCancelled, _cancelled),
}


def translator_for(store: Any) -> JobEventTranslator:
    """The translate function of a JobStore (its mapper and repository)."""
    return JobEventTranslator(store.mapper, store.repository)


def _announced(kind: type) -> bool:
    return kind in _FIELDS or issubclass(kind, Beacon.Beat)
