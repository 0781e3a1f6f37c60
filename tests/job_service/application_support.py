"""A job service on the in-memory store and a FakeStepRunner, with a clock the test moves.

Shared by the application, handler and translation tests (a `support` module by purpose; named
test_* only because of where this change may write). It holds no tests itself.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from backbone.messaging.consumer import Outcome
from events.schemas import (
    AllocationRejected,
    ClusterFailed,
    ClusterIdle,
    ClusterReady,
    ClusterTerminated,
    ClusterUnhealthy,
    IntegrationEvent,
    derived_event_id,
    to_envelope,
)
from events.schemas.clusters import RejectionReason
from job_service.adapters import FakeStepRunner
from job_service.application import JobsApplication
from job_service.bootstrap import JobServiceSettings, bootstrap
from job_service.domain import Job, ProfileTerms, StepTemplate

T0 = datetime(2024, 1, 1, tzinfo=UTC)
PROFILE = "train-xgb"
CLUSTER_PROFILE = "spark-small"
TENANT = "tenant-1"
STEP = "EMR Step Status Change"
MEMORY_STORE = "backbone.eventstore.memory"


def profile_terms(**overrides: Any) -> ProfileTerms:
    fields: dict[str, Any] = {
        "job_type": "training",
        "cluster_profile": CLUSTER_PROFILE,
        "step_template": StepTemplate("spark", ("s3://bucket/train.py", "--date", "{date}")),
        "max_attempts": 3,
        "timeout_seconds": 600,
    }
    return ProfileTerms(**(fields | overrides))


class World:
    """One job service process; `deliver` sends events through its Consumer as SQS would."""

    def __init__(self, *, reconcile_after: int = 300, **profile: Any) -> None:
        self.now = T0
        self.runner = FakeStepRunner()
        settings = JobServiceSettings(
            "unused", persistence_module=MEMORY_STORE, reconcile_after_seconds=reconcile_after
        )
        self.service = bootstrap(settings, step_runner=self.runner, clock=lambda: self.now)
        self.app: JobsApplication = self.service.app
        self.app.create_profile(PROFILE, profile_terms(**profile), at=T0)

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now

    def submit(self, name: str = "nightly", **kwargs: Any) -> Job:
        parameters = kwargs.pop("parameters", {"date": "2024-01-01"})
        return self.app.submit(TENANT, PROFILE, name, parameters, at=self.now, **kwargs)

    def job(self, job_id: UUID) -> Job:
        return self.app.get(TENANT, job_id)

    def status(self, job_id: UUID) -> str:
        return str(self.job(job_id).status)

    def deliver(self, event: IntegrationEvent | dict[str, Any]) -> Outcome:
        """One delivery; an integration event gets a fresh envelope id, as PutEvents gives."""
        if isinstance(event, dict):
            body = json.dumps(event)
        else:
            body = json.dumps(to_envelope(event, envelope_id=str(uuid4())))
        outcome: Outcome = self.service.consumer.handle_message_body(body)
        return outcome

    def published(self) -> list[IntegrationEvent]:
        """What the relay would publish from the whole log, ids derived as the relay does."""
        events = []
        for notification in self.app.recorder.select_notifications(start=1, limit=10_000):
            event_id = derived_event_id(
                "job-service", str(notification.originator_id), notification.originator_version
            )
            event = self.service.translate(notification, event_id)
            if event is not None:
                events.append(event)
        return events

    def published_for(self, job_id: UUID) -> list[str]:
        return [e.detail_type for e in self.published() if getattr(e, "job_id", "") == str(job_id)]


def _common(at: datetime | None = None) -> dict[str, Any]:
    return {"event_id": str(uuid4()), "occurred_at": at or T0}


def ready(cluster_id: str = "c-1", slots: int = 1, emr: str = "j-CLUSTER1") -> ClusterReady:
    return ClusterReady(
        **_common(),
        cluster_id=cluster_id,
        cluster_profile=CLUSTER_PROFILE,
        emr_cluster_id=emr,
        slots=slots,
    )


def idle(cluster_id: str = "c-1", free_slots: int = 1) -> ClusterIdle:
    return ClusterIdle(
        **_common(), cluster_id=cluster_id, cluster_profile=CLUSTER_PROFILE, free_slots=free_slots
    )


def failed(cluster_id: str = "c-1", *job_ids: UUID) -> ClusterFailed:
    return ClusterFailed(
        **_common(),
        cluster_id=cluster_id,
        cluster_profile=CLUSTER_PROFILE,
        reason="bootstrap failure",
        lost_job_ids=tuple(str(j) for j in job_ids),
    )


def terminated(cluster_id: str = "c-1") -> ClusterTerminated:
    return ClusterTerminated(**_common(), cluster_id=cluster_id, cluster_profile=CLUSTER_PROFILE)


def unhealthy(cluster_id: str = "c-1") -> ClusterUnhealthy:
    return ClusterUnhealthy(**_common(), cluster_id=cluster_id, last_seen=T0)


def rejected(
    job_id: UUID, cluster_id: str = "c-1", attempt: int = 1, reason: RejectionReason = "not_ready"
) -> AllocationRejected:
    return AllocationRejected(
        **_common(),
        job_id=str(job_id),
        tenant_id=TENANT,
        cluster_id=cluster_id,
        attempt=attempt,
        reason=reason,
    )


def step_event(step_id: str, state: str, emr: str = "j-CLUSTER1", **detail: Any) -> dict[str, Any]:
    """An AWS "EMR Step Status Change" envelope, keyed on its own id."""
    return {
        "version": "0",
        "id": str(uuid4()),
        "detail-type": STEP,
        "source": "aws.emr",
        "time": "2024-01-01T00:00:00Z",
        "region": "us-east-1",
        "detail": {"clusterId": emr, "stepId": step_id, "state": state, **detail},
    }
