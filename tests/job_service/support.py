"""Builders for the job service's domain tests: jobs in each status, at fixed times."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from job_service.domain import Job, JobTerms

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """T0 plus `seconds`."""
    return T0 + timedelta(seconds=seconds)


def terms(**overrides: Any) -> JobTerms:
    fields: dict[str, Any] = {
        "tenant_id": "tenant-1",
        "name": "nightly-training",
        "job_profile": "train-xgb",
        "cluster_profile": "spark-small",
        "priority": "normal",
        "timeout_seconds": 600,
        "max_attempts": 3,
        "parameters": {"date": "2024-01-01"},
    }
    return JobTerms(**(fields | overrides))


def submitted(**overrides: Any) -> Job:
    return Job.submit(uuid4(), terms(**overrides), at(0))


def queued(**overrides: Any) -> Job:
    job = submitted(**overrides)
    job.enqueue(at(1))
    return job


def allocated(cluster_id: str = "c-1", slot: int = 0, **overrides: Any) -> Job:
    job = queued(**overrides)
    job.allocate(cluster_id, slot, at(2))
    return job


def running(step_id: str = "s-1", **overrides: Any) -> Job:
    job = allocated(**overrides)
    job.start(step_id, at(3))
    return job


def last_event(job: Job) -> Any:
    return job.pending_events[-1]
