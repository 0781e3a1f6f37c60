"""Heartbeats, and the events the monitor service publishes about health and SLAs."""

from typing import ClassVar, Self, get_args

from pydantic import AwareDatetime, Field, model_validator

from events.schemas.base import (
    MONITOR_SERVICE_SOURCE,
    SOURCE_PREFIX,
    Count,
    Identifier,
    IntegrationEvent,
    Priority,
    Reason,
    Seconds,
    ServiceName,
)


class Heartbeat(IntegrationEvent):
    """A service instance is alive; published by every service under its own source."""

    detail_type: ClassVar[str] = "Heartbeat"
    source: ClassVar[str] = SOURCE_PREFIX
    """A prefix (match it with EventBridge's `prefix`); see bus_source."""

    service: ServiceName
    instance_id: Identifier
    """The process (Lambda execution environment, local runner) that beats."""
    sequence: Count
    """Increases by one per beat of this instance; a gap means lost beats."""

    @property
    def bus_source(self) -> str:
        """The publishing service's own source, emr-control-plane.<service>."""
        return SOURCE_PREFIX + self.service

    @classmethod
    def sources(cls) -> tuple[str, ...]:
        """The three services' sources."""
        return tuple(SOURCE_PREFIX + name for name in get_args(ServiceName))


class MonitorEvent(IntegrationEvent):
    """Published by the monitor service."""

    source: ClassVar[str] = MONITOR_SERVICE_SOURCE


class ClusterUnhealthy(MonitorEvent):
    """Nothing was heard about a running cluster for too long."""

    detail_type: ClassVar[str] = "ClusterUnhealthy"

    cluster_id: Identifier
    cluster_profile: Identifier | None = None
    last_seen: AwareDatetime
    """When the last event about the cluster was seen."""
    reason: Reason | None = None


class ServiceUnhealthy(MonitorEvent):
    """A service's heartbeats stopped."""

    detail_type: ClassVar[str] = "ServiceUnhealthy"

    service: ServiceName
    instance_id: Identifier | None = None
    last_heartbeat_at: AwareDatetime | None = None
    """None when the service never beat."""


class SlaBreached(MonitorEvent):
    """A job waited longer than its priority's target before it started."""

    detail_type: ClassVar[str] = "SlaBreached"

    job_id: Identifier
    tenant_id: Identifier
    cluster_profile: Identifier | None = None
    priority: Priority
    waited_seconds: Seconds
    target_seconds: Seconds = Field(gt=0)

    @model_validator(mode="after")
    def _waited_past_target(self) -> Self:
        if self.waited_seconds < self.target_seconds:
            raise ValueError("waited_seconds is below target_seconds: not a breach")
        return self
