"""Every integration event by detail-type, and their conversions to and from EventBridge."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from events.schemas.aws import EventBridgeEnvelope
from events.schemas.base import IntegrationEvent
from events.schemas.clusters import (
    AllocationRejected,
    ClusterDecommissioning,
    ClusterFailed,
    ClusterIdle,
    ClusterReady,
    ClusterRequested,
    ClusterTerminated,
    OrphanStackFound,
    PoolThresholdsChanged,
)
from events.schemas.errors import EventTooLarge, SourceMismatch, UnknownEventType
from events.schemas.jobs import (
    JobAllocated,
    JobCancelled,
    JobFailed,
    JobRequeued,
    JobStarted,
    JobSubmitted,
    JobSucceeded,
)
from events.schemas.monitoring import ClusterUnhealthy, Heartbeat, ServiceUnhealthy, SlaBreached

PUT_EVENTS_ENTRY_LIMIT = 256 * 1024
"""EventBridge's limit on one PutEvents entry, in bytes."""
_TIME_FIELD_SIZE = 14
"""What a Time field counts for in EventBridge's entry-size arithmetic."""

Extra = Literal["forbid", "ignore"]

EVENT_TYPES: tuple[type[IntegrationEvent], ...] = (
    JobSubmitted,
    JobAllocated,
    JobStarted,
    JobSucceeded,
    JobFailed,
    JobRequeued,
    JobCancelled,
    ClusterRequested,
    ClusterReady,
    ClusterIdle,
    ClusterDecommissioning,
    ClusterTerminated,
    ClusterFailed,
    AllocationRejected,
    PoolThresholdsChanged,
    OrphanStackFound,
    Heartbeat,
    ClusterUnhealthy,
    ServiceUnhealthy,
    SlaBreached,
)
REGISTRY: dict[str, type[IntegrationEvent]] = {model.detail_type: model for model in EVENT_TYPES}


def event_type(detail_type: str) -> type[IntegrationEvent]:
    """The model registered for a detail-type; UnknownEventType if none is."""
    try:
        return REGISTRY[detail_type]
    except KeyError:
        raise UnknownEventType(detail_type) from None


def parse_detail(
    detail_type: str, detail: Mapping[str, Any] | str | bytes, *, extra: Extra = "forbid"
) -> IntegrationEvent:
    """Validate a detail (a dict, or its JSON) into its event; extra="ignore" reads tolerantly."""
    model = event_type(detail_type)
    if isinstance(detail, str | bytes):
        return model.model_validate_json(detail, extra=extra)
    return model.model_validate(detail, extra=extra)


def from_eventbridge_envelope(
    envelope: Mapping[str, Any] | str | bytes | EventBridgeEnvelope, *, extra: Extra = "forbid"
) -> IntegrationEvent:
    """The event inside an envelope as an SQS target receives it; checks the source too."""
    if isinstance(envelope, str | bytes):
        envelope = EventBridgeEnvelope.model_validate_json(envelope)
    elif not isinstance(envelope, EventBridgeEnvelope):
        envelope = EventBridgeEnvelope.model_validate(envelope)
    event = parse_detail(envelope.detail_type, envelope.detail, extra=extra)
    if event.bus_source != envelope.source:
        raise SourceMismatch(envelope.detail_type, envelope.source, type(event).sources())
    return event


def to_put_events_entry(event: IntegrationEvent, bus_name: str) -> dict[str, Any]:
    """The PutEvents entry that publishes the event; EventTooLarge over 256 KiB."""
    entry: dict[str, Any] = {
        "Source": event.bus_source,
        "DetailType": event.detail_type,
        "Detail": event.model_dump_json(),
        "EventBusName": bus_name,
        "Time": event.occurred_at,
    }
    size = _TIME_FIELD_SIZE + sum(
        len(entry[key].encode()) for key in ("Source", "DetailType", "Detail")
    )
    if size > PUT_EVENTS_ENTRY_LIMIT:
        raise EventTooLarge(event.detail_type, size, PUT_EVENTS_ENTRY_LIMIT)
    return entry


def _envelope_time(moment: datetime) -> str:
    """EventBridge's time format: UTC, whole seconds, 'Z'."""
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def to_envelope(
    event: IntegrationEvent,
    *,
    region: str = "us-east-1",
    account: str | None = "000000000000",
    envelope_id: str | None = None,
) -> dict[str, Any]:
    """The envelope EventBridge would deliver for the event (for in-process buses and tests)."""
    envelope: dict[str, Any] = {
        "version": "0",
        "id": envelope_id or event.event_id,
        "detail-type": event.detail_type,
        "source": event.bus_source,
        "time": _envelope_time(event.occurred_at),
        "region": region,
        "resources": [],
        "detail": event.model_dump(mode="json"),
    }
    if account is not None:
        envelope["account"] = account
    return envelope
