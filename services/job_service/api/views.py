"""What the API answers: response models, and how jobs, profiles and events become them."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from job_service.api.models import StepTemplateBody
from job_service.application.board import Waiting
from job_service.application.listing import JobEntry
from job_service.application.pool_outlook import Outlook
from job_service.domain import PRIORITIES, Job, JobProfile, JobStatus
from job_service.domain.values import JobType, Priority


class View(BaseModel):
    """Base of the response models (field docstrings become their descriptions)."""

    model_config = ConfigDict(use_attribute_docstrings=True)


class JobLinks(View):
    self: str
    history: str


class JobAccepted(View):
    """202 to POST /jobs: the job is stored and queued."""

    job_id: str
    status: JobStatus
    queue_position: int | None
    """How many jobs go before it (0: it is next); null once it left the queue."""
    estimated_start_at: datetime | None
    """When it is expected to get a slot (see JobView); null if not queued or not estimable."""
    estimate_basis: str | None
    """What the estimate rests on, in words."""
    links: JobLinks


class JobTimes(View):
    submitted: datetime
    queued: datetime | None
    allocated: datetime | None
    started: datetime | None
    finished: datetime | None


class JobView(View):
    """A job as it is now."""

    job_id: str
    name: str
    profile: str
    cluster_profile: str
    priority: Priority
    status: JobStatus
    attempts: int
    max_attempts: int
    timeout_seconds: int
    parameters: dict[str, str | bool | int | float]
    cluster: str | None
    """The cluster of the current (or, once finished, the last) attempt."""
    times: JobTimes
    retry_at: datetime | None
    failure_reason: str | None
    waiting_reason: str | None
    """Why a job that is not running yet waits; null otherwise."""
    queue_position: int | None
    estimated_start_at: datetime | None
    """For a queued job: when it is expected to get a slot, from the jobs going before it
    (priority, aging, fair share), the running jobs' expected ends (the median of the cluster
    profile's recent run times), free and starting slots and cluster start-up time. An
    estimate: later submissions that go first, failures and new clusters move it. Null if the
    job is not queued, or nothing is known yet to estimate from (see estimate_basis)."""
    estimate_basis: str | None
    """What estimated_start_at rests on, in words; null if the job is not queued."""
    links: JobLinks


class JobSummary(View):
    job_id: str
    name: str
    profile: str
    priority: Priority
    status: JobStatus
    submitted_at: datetime
    links: JobLinks


class JobPage(View):
    """GET /jobs: newest first; next_token is null on the last page."""

    jobs: list[JobSummary]
    next_token: str | None


class HistoryEvent(View):
    type: str
    version: int
    time: datetime
    fields: dict[str, Any]


class JobHistory(View):
    """The job's stored events, oldest first, for audit."""

    job_id: str
    events: list[HistoryEvent]


class ProfileView(View):
    name: str
    job_type: JobType
    cluster_profile: str
    priority_class: Priority
    allowed_priorities: list[Priority]
    max_attempts: int
    timeout_seconds: int
    step_template: StepTemplateBody
    tenants: list[str]
    """Who may list, read and submit to it: ["*"] (every tenant) or tenant ids."""
    parameters: dict[str, dict[str, Any]]
    """The declared type of each placeholder (empty for profiles stored before types)."""
    version: int
    created_at: datetime
    updated_at: datetime


class ProfileList(View):
    profiles: list[ProfileView]


def links(job_id: UUID | str) -> JobLinks:
    return JobLinks(self=f"/jobs/{job_id}", history=f"/jobs/{job_id}/history")


def job_view(
    job: Job, waiting: Waiting | None, now: datetime, outlook: Outlook | None = None
) -> JobView:
    """The job as GET /jobs/{id} shows it; `waiting` is the board's word on a queued job."""
    estimate = None if waiting is None else waiting.estimate
    times = JobTimes(
        submitted=job.submitted_at,
        queued=job.queued_at,
        allocated=job.allocated_at,
        started=job.started_at,
        finished=job.finished_at,
    )
    return JobView(
        job_id=str(job.id),
        name=job.name,
        profile=job.job_profile,
        cluster_profile=job.cluster_profile,
        priority=job.priority,
        status=job.status,
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        timeout_seconds=job.timeout_seconds,
        parameters=job.parameters,
        cluster=job.cluster_id,
        times=times,
        retry_at=job.retry_at,
        failure_reason=job.failure_reason,
        waiting_reason=waiting_reason(job, waiting, now, outlook),
        queue_position=None if waiting is None else waiting.position,
        estimated_start_at=None if estimate is None else estimate.start_at,
        estimate_basis=None if estimate is None else estimate.basis,
        links=links(job.id),
    )


def waiting_reason(
    job: Job, waiting: Waiting | None, now: datetime, outlook: Outlook | None = None
) -> str | None:
    """Why the job is not running yet, in words; None if it is running or finished."""
    if job.status is JobStatus.SUBMITTED:
        return "being queued"
    if job.status is JobStatus.ALLOCATED:
        return f"waiting for its step to start on cluster {job.cluster_id}"
    if job.status is not JobStatus.QUEUED:
        return None
    if job.retry_at is not None and job.retry_at > now:
        return f"retrying after back-off until {_iso(job.retry_at)}"
    if waiting is not None and waiting.quota is not None:
        return f"{waiting.quota}; other tenants' jobs go meanwhile"
    position = None if waiting is None else waiting.position
    pool = _pool_reason(job.cluster_profile, outlook)
    if position:
        return f"queued behind {position} job{'s' if position > 1 else ''}; {pool}"
    return pool


def _pool_reason(cluster_profile: str, outlook: Outlook | None) -> str:
    """What the job's pool is doing about it: nothing while it is drained (MAXIMUM 0: no
    cluster will start until an operator raises it), a cluster starting, or the pool at MAXIMUM."""
    if outlook is not None and outlook.maximum == 0:
        return f"cluster profile {cluster_profile} is drained (MAXIMUM 0): no new clusters"
    if outlook is not None and outlook.starting:
        if outlook.ready_in_seconds is None:
            return f"cluster starting for cluster profile {cluster_profile}"
        seconds = math.ceil(outlook.ready_in_seconds)
        if seconds == 0:
            return f"cluster starting for cluster profile {cluster_profile}, ready any moment"
        return f"cluster starting for cluster profile {cluster_profile}, ready in about {seconds} s"
    if outlook is not None and outlook.at_maximum:
        clusters = f"{outlook.maximum} cluster{'' if outlook.maximum == 1 else 's'}"
        return f"cluster profile {cluster_profile} at MAXIMUM ({clusters}), waiting for a slot"
    return f"waiting for a cluster of cluster profile {cluster_profile} to free a slot"


def job_summary(entry: JobEntry) -> JobSummary:
    return JobSummary(
        job_id=str(entry.job_id),
        name=entry.name,
        profile=entry.job_profile,
        priority=entry.priority,
        status=entry.status,
        submitted_at=entry.submitted_at,
        links=links(entry.job_id),
    )


def history_view(job_id: UUID, events: Iterable[Any]) -> JobHistory:
    internal = {"originator_id", "originator_version", "originator_topic", "timestamp"}
    return JobHistory(
        job_id=str(job_id),
        events=[
            HistoryEvent(
                type=type(event).__name__,
                version=event.originator_version,
                time=event.timestamp,
                fields={k: plain(v) for k, v in vars(event).items() if k not in internal},
            )
            for event in events
        ],
    )


def _iso(at: datetime) -> str:
    """As pydantic writes times: ISO 8601, UTC as Z."""
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def plain(value: Any) -> Any:
    """`value` as JSON values: times in ISO 8601 (UTC as Z), ids and enums as strings."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((plain(v) for v in value), key=str)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return str(value)


def profile_view(profile: JobProfile) -> ProfileView:
    terms = profile.terms
    template = StepTemplateBody(kind=terms.step_template.kind, args=list(terms.step_template.args))
    return ProfileView(
        name=profile.name,
        job_type=terms.job_type,
        cluster_profile=terms.cluster_profile,
        priority_class=terms.priority_class,
        allowed_priorities=[p for p in PRIORITIES if p in terms.allowed_priorities],
        max_attempts=terms.max_attempts,
        timeout_seconds=terms.timeout_seconds,
        step_template=template,
        tenants=sorted(terms.tenants),
        parameters={name: t.as_fields() for name, t in sorted(terms.parameters.items())},
        version=profile.version,
        created_at=profile.created_on,
        updated_at=profile.modified_on,
    )
