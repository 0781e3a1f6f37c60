"""The monitor's consumer handlers: every event it receives is recorded, one use case.

The monitor subscribes to every source `emr-control-plane.*` and to AWS's EMR and
CloudFormation events (monitor_service/subscriptions.py: DEFINITION), so it handles every
registered integration event and those AWS detail-types. The marker is the event's id (an AWS
event's envelope id); a redelivery raises AlreadyConsumed, which the Consumer counts as success.
The recorded time is the handler's clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Final

from backbone.messaging.consumer import Handler
from events.schemas import (
    REGISTRY,
    CloudFormationStackStatusChange,
    EmrClusterStateChange,
    EmrStepStatusChange,
)
from monitor_service.application.app import MonitorApplication

Clock = Callable[[], datetime]
AWS_DETAIL_TYPES: Final = (
    EmrClusterStateChange.detail_type,
    EmrStepStatusChange.detail_type,
    CloudFormationStackStatusChange.detail_type,
)


class MonitorServiceHandlers:
    """Handlers bound to one application and one clock; `by_detail_type()` for the Consumer."""

    def __init__(self, app: MonitorApplication, clock: Clock) -> None:
        self._app = app
        self._clock = clock

    def by_detail_type(self) -> dict[str, Handler]:
        return {detail_type: self.on_event for detail_type in (*REGISTRY, *AWS_DETAIL_TYPES)}

    def on_event(self, event: Any) -> None:
        """An IntegrationEvent or an AwsEvent: append it to the audit log."""
        self._app.record(event, at=self._clock(), consumed=[event.event_id])

    def on_events(self, events: Sequence[Any]) -> Sequence[BaseException | None]:
        """A whole SQS batch, recorded in as few saves as it can (the Consumer's batch
        handler); per event, None or what failed it alone."""
        return self._app.record_batch(events, at=self._clock())
