"""The values a job's lifecycle is made of: its status, its terms, waits (back-off: backoff.py)."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from job_service.domain.errors import InvalidJob
from job_service.domain.values import PRIORITIES, Parameters, Priority

MAX_ATTEMPTS_LIMIT = 1000


def aware(at: datetime) -> datetime:
    """`at` itself, once checked to be timezone-aware."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidJob(f"time must be timezone-aware, not {at!r}")
    return at


class JobStatus(StrEnum):
    SUBMITTED = "submitted"
    QUEUED = "queued"
    ALLOCATED = "allocated"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


TERMINAL = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})
HOLDS_SLOT = frozenset({JobStatus.ALLOCATED, JobStatus.RUNNING})
"""The statuses in which a job holds one slot of one cluster."""


@dataclass(frozen=True)
class JobTerms:
    """What a job is to run and how (checked on construction); `JobProfile.terms_for` builds it."""

    tenant_id: str
    name: str
    job_profile: str
    cluster_profile: str
    priority: Priority
    timeout_seconds: int
    max_attempts: int = 3
    parameters: Parameters = field(default_factory=dict)
    step_args: tuple[str, ...] | None = None
    """The EMR step's args as rendered at acceptance: the job runs them whatever becomes of its
    profile (None only for jobs accepted before jobs kept them)."""

    def __post_init__(self) -> None:
        if self.priority not in PRIORITIES:
            raise InvalidJob(f"priority must be one of {PRIORITIES}, not {self.priority!r}")
        if not 1 <= self.max_attempts <= MAX_ATTEMPTS_LIMIT:
            limit = MAX_ATTEMPTS_LIMIT
            raise InvalidJob(f"max_attempts must be 1..{limit}, not {self.max_attempts}")
        if self.timeout_seconds < 1:
            raise InvalidJob(f"timeout_seconds must be >= 1, not {self.timeout_seconds}")

    def as_fields(self) -> dict[str, Any]:
        """The terms as plain values for a stored event."""
        fields = {name: getattr(self, name) for name in self.__dataclass_fields__}
        step_args = None if self.step_args is None else list(self.step_args)
        return fields | {"parameters": dict(self.parameters), "step_args": step_args}


class Wait(NamedTuple):
    """One spell in the queue: from when the job could run to when it got a slot."""

    since: datetime
    until: datetime

    @property
    def seconds(self) -> float:
        return (self.until - self.since).total_seconds()


class StepRef(NamedTuple):
    """An EMR step on one of our clusters."""

    cluster_id: str
    step_id: str
