"""Events of a small platform as the monitor service receives them, for its tests and benchmarks.

Builders take times in seconds after T0 and derive event ids from their content, so the same
event built twice is a duplicate (as a redelivery is).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from events.schemas import IntegrationEvent, derived_event_id
from events.schemas.registry import REGISTRY

T0 = datetime(2024, 1, 1, tzinfo=UTC)
Event = IntegrationEvent | dict[str, Any]
"""An integration event, or an AWS event's envelope."""


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


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
