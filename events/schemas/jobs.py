"""Integration events the job service publishes about a job's lifecycle."""

from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, Field, FiniteFloat, StringConstraints

from events.schemas.base import (
    JOB_SERVICE_SOURCE,
    Attempt,
    EmrStepId,
    Identifier,
    IntegrationEvent,
    Name,
    Priority,
    Reason,
)

ParameterName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$")]
ParameterValue = Annotated[str, StringConstraints(max_length=4096)] | bool | int | FiniteFloat
Parameters = Annotated[
    dict[ParameterName, ParameterValue],
    Field(max_length=256, json_schema_extra={"additionalProperties": False}),
]

RequeueReason = Literal[
    "cluster_lost", "allocation_rejected", "step_failed", "step_interrupted", "timeout"
]


class JobEvent(IntegrationEvent):
    """Something that happened to one job of one tenant."""

    source: ClassVar[str] = JOB_SERVICE_SOURCE

    job_id: Identifier
    tenant_id: Identifier


class JobSubmitted(JobEvent):
    """A job was accepted and stored; it waits in its cluster profile's queue."""

    detail_type: ClassVar[str] = "JobSubmitted"

    job_profile: Identifier
    cluster_profile: Identifier
    """The pool of clusters the job must run on."""
    priority: Priority
    name: Name
    parameters: Parameters = Field(default_factory=dict)
    max_attempts: Attempt = 3
    timeout_seconds: int = Field(ge=1)
    """How long one attempt may run once started."""
    submitted_at: AwareDatetime
    """When the API accepted the request (queue order is FIFO on it within a priority)."""


class JobAllocated(JobEvent):
    """The job was given a slot of a ready cluster for one attempt."""

    detail_type: ClassVar[str] = "JobAllocated"

    cluster_id: Identifier
    cluster_profile: Identifier
    attempt: Attempt
    slot: int = Field(ge=0)
    """The slot's index on the cluster, from 0."""


class JobStarted(JobEvent):
    """The job's EMR step was added to its cluster."""

    detail_type: ClassVar[str] = "JobStarted"

    cluster_id: Identifier
    step_id: EmrStepId
    attempt: Attempt


class JobSucceeded(JobEvent):
    """The job's step completed; the job is done (terminal)."""

    detail_type: ClassVar[str] = "JobSucceeded"

    cluster_id: Identifier
    step_id: EmrStepId | None = None
    attempt: Attempt


class JobFailed(JobEvent):
    """An attempt failed; with final=True the job is done (terminal), else a retry follows."""

    detail_type: ClassVar[str] = "JobFailed"

    cluster_id: Identifier | None = None
    """The cluster the attempt ran on, if it got one; its slot is free again."""
    step_id: EmrStepId | None = None
    attempt: Attempt
    reason: Reason
    final: bool


class JobRequeued(JobEvent):
    """The job went back to its queue, to be allocated again no earlier than retry_at."""

    detail_type: ClassVar[str] = "JobRequeued"

    reason: RequeueReason
    attempt: Attempt
    """The attempt that ended."""
    cluster_id: Identifier | None = None
    """The cluster the job left, if any; its slot is free again."""
    retry_at: AwareDatetime


class JobCancelled(JobEvent):
    """The job was cancelled (terminal)."""

    detail_type: ClassVar[str] = "JobCancelled"

    cluster_id: Identifier | None = None
    """The cluster the job was allocated to, if any; its slot is free again."""
    reason: Reason | None = None
