"""A monitor service on the in-memory store with a virtual clock, and event builders.

Builders take times in seconds after T0 and derive event ids from their content, so the same
event built twice is a duplicate (as a redelivery is).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from backbone.messaging.consumer import Outcome
from events.schemas import IntegrationEvent, derived_event_id, to_envelope
from events.schemas.registry import REGISTRY
from monitor_service.application import MonitorApplication
from monitor_service.application.ports import MetricsPublisher
from monitor_service.bootstrap import MonitorServiceSettings, bootstrap
from monitor_service.domain import MonitorPolicy

T0 = datetime(2024, 1, 1, tzinfo=UTC)
MEMORY_STORE = "backbone.eventstore.memory"
Event = IntegrationEvent | dict[str, Any]
"""An integration event, or an AWS event's envelope."""


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


class World:
    """One monitor process; `deliver` sends events through its Consumer as SQS would."""

    def __init__(
        self,
        policy: MonitorPolicy | None = None,
        metrics: MetricsPublisher | None = None,
        config: MonitorServiceSettings | None = None,
        **settings: Any,
    ) -> None:
        """On the in-memory store with `settings`, or on what `config` says."""
        self.now = T0
        config = config or MonitorServiceSettings(
            "unused", persistence_module=MEMORY_STORE, instance_id="monitor-1", **settings
        )
        self.service = bootstrap(config, clock=lambda: self.now, policy=policy, metrics=metrics)
        self.app: MonitorApplication = self.service.app

    def set(self, seconds: float) -> datetime:
        self.now = at(seconds)
        return self.now

    def deliver(self, event: Event) -> Outcome:
        """One delivery; an integration event gets a fresh envelope id, as PutEvents gives."""
        body = event if isinstance(event, dict) else to_envelope(event, envelope_id=str(uuid4()))
        outcome: Outcome = self.service.consumer.handle_message_body(json.dumps(body))
        return outcome

    def deliver_all(self, events: list[tuple[float, Event]]) -> None:
        for seconds, event in events:
            self.set(seconds)
            self.deliver(event)

    def published(self) -> list[IntegrationEvent]:
        """What the relay would publish from the whole log."""
        found = []
        for notification in self.app.recorder.select_notifications(start=1, limit=1_000_000):
            event_id = derived_event_id(
                "monitor-service", str(notification.originator_id), notification.originator_version
            )
            event = self.service.translate(notification, event_id)
            if event is not None:
                found.append(event)
        return found

    def published_types(self) -> list[str]:
        return [e.detail_type for e in self.published() if e.detail_type != "Heartbeat"]


def event(detail_type: str, seconds: float, **fields: Any) -> IntegrationEvent:
    """An integration event of `detail_type` at T0 + seconds, its id derived from its content."""
    content = json.dumps([detail_type, seconds, fields], sort_keys=True, default=str)
    model = REGISTRY[detail_type]
    return model.model_validate(
        {"event_id": derived_event_id("test", content), "occurred_at": at(seconds)} | fields
    )


def submitted(
    job: str,
    seconds: float,
    *,
    tenant: str = "t1",
    profile: str = "small",
    priority: str = "normal",
) -> IntegrationEvent:
    return event(
        "JobSubmitted",
        seconds,
        job_id=job,
        tenant_id=tenant,
        job_profile="train",
        cluster_profile=profile,
        priority=priority,
        name=f"job {job}",
        timeout_seconds=3600,
        submitted_at=at(seconds),
    )


def allocated(
    job: str,
    seconds: float,
    cluster: str = "c-1",
    slot: int = 0,
    *,
    tenant: str = "t1",
    profile: str = "small",
    attempt: int = 1,
) -> IntegrationEvent:
    return event(
        "JobAllocated",
        seconds,
        job_id=job,
        tenant_id=tenant,
        cluster_id=cluster,
        cluster_profile=profile,
        attempt=attempt,
        slot=slot,
    )


def started(
    job: str,
    seconds: float,
    cluster: str = "c-1",
    *,
    tenant: str = "t1",
    step: str = "",
    attempt: int = 1,
) -> IntegrationEvent:
    return event(
        "JobStarted",
        seconds,
        job_id=job,
        tenant_id=tenant,
        cluster_id=cluster,
        step_id=step or f"s-{job.replace('-', '')}{attempt}",
        attempt=attempt,
    )


def succeeded(job: str, seconds: float, cluster: str = "c-1", *, tenant: str = "t1") -> Any:
    return event(
        "JobSucceeded", seconds, job_id=job, tenant_id=tenant, cluster_id=cluster, attempt=1
    )


def cancelled(job: str, seconds: float, *, tenant: str = "t1") -> IntegrationEvent:
    return event("JobCancelled", seconds, job_id=job, tenant_id=tenant)


def requested(cluster: str, seconds: float, profile: str = "small") -> IntegrationEvent:
    return event(
        "ClusterRequested",
        seconds,
        cluster_id=cluster,
        cluster_profile=profile,
        stack_name=f"emrcp-{cluster}",
        reason="queued_demand",
    )


def ready(
    cluster: str, seconds: float, profile: str = "small", slots: int = 2, emr: str = ""
) -> IntegrationEvent:
    return event(
        "ClusterReady",
        seconds,
        cluster_id=cluster,
        cluster_profile=profile,
        emr_cluster_id=emr or f"j-{cluster.replace('-', '').upper()}",
        slots=slots,
    )


def decommissioning(cluster: str, seconds: float, profile: str = "small") -> IntegrationEvent:
    return event(
        "ClusterDecommissioning",
        seconds,
        cluster_id=cluster,
        cluster_profile=profile,
        reason="idle_timeout",
    )


def terminated(cluster: str, seconds: float, profile: str = "small") -> IntegrationEvent:
    return event("ClusterTerminated", seconds, cluster_id=cluster, cluster_profile=profile)


def heartbeat(service: str, seconds: float, sequence: int, instance: str = "i-1") -> Any:
    return event("Heartbeat", seconds, service=service, instance_id=instance, sequence=sequence)


def aws_envelope(source: str, detail_type: str, seconds: float, detail: dict[str, Any]) -> Any:
    content = json.dumps([detail_type, seconds, detail], sort_keys=True)
    return {
        "version": "0",
        "id": derived_event_id("aws", content),
        "detail-type": detail_type,
        "source": source,
        "account": "000000000000",
        "time": at(seconds).isoformat().replace("+00:00", "Z"),
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


def emr_cluster_change(emr_id: str, state: str, seconds: float, message: str = "") -> Any:
    detail = {
        "clusterId": emr_id,
        "state": state,
        "name": "emrcp",
        "message": message,
        "stateChangeReason": json.dumps({"code": "BOOTSTRAP_FAILURE"}),
    }
    return aws_envelope("aws.emr", "EMR Cluster State Change", seconds, detail)


def emr_step_change(emr_id: str, step_id: str, state: str, seconds: float) -> Any:
    detail = {"clusterId": emr_id, "stepId": step_id, "state": state, "name": "step"}
    return aws_envelope("aws.emr", "EMR Step Status Change", seconds, detail)
