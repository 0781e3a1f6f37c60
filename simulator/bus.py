"""The in-process bus: each service's relay, EventBridge's routing and SQS's delivery, on SimPy.

`settle()` does what the relay does on the table's stream: every stored event not yet relayed,
in notification order, goes through the service's `translate` with the relay's derived event id
(`events.schemas.derived_event_id(service, originator id, version)`); each integration event
becomes EventBridge's envelope and is delivered, after `latency_s`, to every consumer that
handles its detail-type (the service's own consumer too, where it subscribes). AWS's events from
the cloud model take the same way. What is delivered is the envelope as JSON would parse it (the
detail is the event's JSON dump), handed over as that dict: the consumer validates it against
the same schemas as the text SQS delivers (`Consumer.handle_envelope`), without a dump and a
parse per delivery. A handler that raises is retried after
`retry_s` (SQS's visibility timeout), at most `max_receives` times, then counted as a dead
letter, as the queues' redrive policy would.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Protocol

import simpy

from events.schemas import IntegrationEvent, derived_event_id, to_envelope

Published = Callable[[IntegrationEvent], None]
MAX_RECEIVES: Final = 5


class _Recorder(Protocol):
    def select_notifications(self, start: int, limit: int) -> Any: ...

    def max_notification_id(self) -> int | None: ...


class _App(Protocol):
    @property
    def recorder(self) -> Any: ...


class _Consumer(Protocol):
    @property
    def detail_types(self) -> frozenset[str]: ...

    def handle_envelope(self, envelope: Mapping[str, Any]) -> Any: ...


@dataclass
class _Service:
    name: str
    app: Any
    translate: Callable[[Any, str], IntegrationEvent | None]
    consumer: _Consumer


class Bus:
    """See the module docstring."""

    def __init__(
        self,
        env: simpy.Environment,
        latency_s: float,
        clock: Callable[[], datetime],
        *,
        retry_s: float = 30.0,
    ) -> None:
        self.env = env
        self.latency_s = latency_s
        self.retry_s = retry_s
        self.clock = clock
        self.services: list[_Service] = []
        self.positions: dict[str, int] = {}
        self.listeners: dict[str, list[Published]] = {}
        self.in_flight = 0
        self.in_flight_to: dict[str, int] = {}
        """Messages on their way, per receiving service."""
        self.delivered = 0
        self.published = 0
        self.retried = 0
        self.dead_letters = 0
        self._settling = False
        self.after_delivery: Callable[[], None] = lambda: None
        """Called after every delivery (the simulator's Tick wakes on it)."""

    def attach(self, name: str, app: Any, translate: Any, consumer: Any) -> None:
        self.services.append(_Service(name, app, translate, consumer))
        self.positions[name] = 0
        self.in_flight_to[name] = 0

    def on_published(self, detail_type: str, listener: Published) -> None:
        """`listener` sees every integration event of `detail_type` as it is published."""
        self.listeners.setdefault(detail_type, []).append(listener)

    def settle(self) -> None:
        """Relay every service's new stored events (until a pass relays nothing)."""
        if self._settling:
            return
        self._settling = True
        try:
            moved = True
            while moved:
                moved = False
                for service in self.services:
                    moved |= self._relay(service)
        finally:
            self._settling = False

    def _relay(self, service: _Service) -> bool:
        position = self.positions[service.name]
        recorder = service.app.recorder
        if (recorder.max_notification_id() or 0) <= position:
            return False  # nothing new (most passes): no read
        notifications = recorder.select_notifications(start=position + 1, limit=500)
        for n in notifications:
            event_id = derived_event_id(service.name, str(n.originator_id), n.originator_version)
            event = service.translate(n, event_id)
            self.positions[service.name] = n.id
            if event is not None:
                self._publish(event)
        return bool(notifications)

    def _publish(self, event: IntegrationEvent) -> None:
        self.published += 1
        for listener in self.listeners.get(event.detail_type, ()):
            listener(event)
        self._route(event.detail_type, to_envelope(event))

    def put_aws(self, source: str, detail_type: str, detail: dict[str, Any]) -> None:
        """An AWS event on the default bus (its envelope id is new, as AWS's are)."""
        envelope = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": detail_type,
            "source": source,
            "account": "123456789012",
            "time": self.clock().isoformat(),
            "region": "us-east-1",
            "resources": [],
            "detail": detail,
        }
        self.published += 1
        self._route(detail_type, json.loads(json.dumps(envelope)))  # JSON-shaped, as AWS's are

    def _route(self, detail_type: str, body: dict[str, Any]) -> None:
        for service in self.services:
            if detail_type in service.consumer.detail_types:
                self._send(service, body, 1, self.latency_s)

    def _send(self, service: _Service, body: dict[str, Any], receive: int, delay: float) -> None:
        self.in_flight += 1
        self.in_flight_to[service.name] += 1
        timeout = self.env.timeout(delay)
        timeout.callbacks.append(lambda _: self._deliver(service, body, receive))

    def _deliver(self, service: _Service, body: dict[str, Any], receive: int) -> None:
        self.in_flight -= 1
        self.in_flight_to[service.name] -= 1
        self.delivered += 1
        try:
            service.consumer.handle_envelope(body)
        except Exception:
            if receive < MAX_RECEIVES:
                self.retried += 1
                self._send(service, body, receive + 1, self.retry_s)
            else:
                self.dead_letters += 1
        self.settle()
        self.after_delivery()
