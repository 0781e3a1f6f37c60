"""A monitor service on the in-memory store with a virtual clock, and the event builders.

The builders live in bench/monitor_events.py (the benchmarks use them too); they are imported
here so tests reach everything as `support.<name>`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import uuid4

from backbone.messaging.consumer import Outcome
from bench.monitor_events import (
    T0,
    Event,
    allocated,
    at,
    aws_envelope,
    cancelled,
    decommissioning,
    emr_cluster_change,
    emr_step_change,
    event,
    heartbeat,
    ready,
    requested,
    started,
    submitted,
    succeeded,
    terminated,
)
from events.schemas import IntegrationEvent, derived_event_id, to_envelope
from monitor_service.application import MonitorApplication
from monitor_service.application.ports import MetricsPublisher
from monitor_service.bootstrap import MonitorServiceSettings, bootstrap
from monitor_service.domain import MonitorPolicy

MEMORY_STORE = "backbone.eventstore.memory"


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
        for seconds, delivered in events:
            self.set(seconds)
            self.deliver(delivered)

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


__all__ = [
    "MEMORY_STORE",
    "T0",
    "Event",
    "World",
    "allocated",
    "at",
    "aws_envelope",
    "cancelled",
    "decommissioning",
    "emr_cluster_change",
    "emr_step_change",
    "event",
    "heartbeat",
    "ready",
    "requested",
    "started",
    "submitted",
    "succeeded",
    "terminated",
]
