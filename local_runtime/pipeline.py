"""The messaging path on the emulator: store → stream → relay → bus → rule → queue → handler.

On AWS, Lambda event source mappings move records along this path. Locally a StreamPoller per
service stands in for the stream's mapping and an SqsPoller per service for the queue's. `pump()`
moves everything that is waiting, round after round, until a round moves nothing: tests use it to
run a whole saga deterministically. `start()` runs the same pollers on threads instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from backbone.eventstore import RequestMeter
from backbone.messaging.definitions import ConsumerDefinition
from backbone.messaging.publisher import EventBridgePublisher
from backbone.messaging.relay import Relay, Translate
from local_runtime.emulator import client
from local_runtime.resources import create_event_bus, create_in_emulator
from local_runtime.sqs_poller import SqsPoller
from local_runtime.stream_poller import StreamPoller

SqsHandler = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class ServicePlumbing:
    """One service as the pipeline sees it: how its events leave, and how they arrive."""

    name: str
    table_name: str
    translate: Translate | None = None
    definition: ConsumerDefinition | None = None
    handle_sqs_event: SqsHandler | None = None


@dataclass
class Pipeline:
    """Creates a set of services' rules and queues, and moves their events."""

    endpoint_url: str
    bus_name: str
    services: list[ServicePlumbing]
    region: str = "us-east-1"
    meter: RequestMeter = field(default_factory=RequestMeter)
    relays: dict[str, StreamPoller] = field(default_factory=dict)
    consumers: dict[str, SqsPoller] = field(default_factory=dict)
    _threads: list[threading.Thread] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def create(
        self, *, wait_seconds: int = 0, retry_visibility_timeout: int | None = 0
    ) -> Pipeline:
        """Create the bus, every service's rules and queues, and a poller for each.

        `wait_seconds` 0 suits pump(); pollers run on threads (start()) want a long poll.
        """
        events = self._client("events")
        create_event_bus(events, self.bus_name)
        for service in self.services:
            if service.translate is not None:
                self.relays[service.name] = self._relay(service, events)
            if service.definition is not None and service.handle_sqs_event is not None:
                made = create_in_emulator(
                    self.endpoint_url, service.definition, self.bus_name, region=self.region
                )
                self.consumers[service.name] = SqsPoller(
                    self._client("sqs"),
                    made["queue_url"],
                    service.handle_sqs_event,
                    wait_seconds=wait_seconds,
                    retry_visibility_timeout=retry_visibility_timeout,
                )
        return self

    def _relay(self, service: ServicePlumbing, events: Any) -> StreamPoller:
        assert service.translate is not None
        publisher = EventBridgePublisher(events, self.bus_name)
        relay = Relay(service.translate, publisher, namespace=service.name)
        return StreamPoller(
            relay, self._client("dynamodb"), self._client("dynamodbstreams"), service.table_name
        )

    def _client(self, service: str) -> Any:
        return self.meter.attach(client(service, self.endpoint_url, self.region))

    def pump(self, *, max_rounds: int = 200) -> int:
        """Relay and deliver until nothing moves; the number of messages handled."""
        handled = 0
        for _ in range(max_rounds):
            moved = sum(poller.poll_once() for poller in self.relays.values())
            received = sum(poller.poll_once() for poller in self.consumers.values())
            handled += received
            if not moved and not received:
                return handled
        raise RuntimeError(f"the pipeline did not settle in {max_rounds} rounds")

    def start(self, interval: float = 0.2) -> None:
        """Run every poller on its own thread until stop()."""
        self._stop.clear()
        loops: list[Callable[[], None]] = [
            *(lambda p=p: p.run(self._stop, interval) for p in self.relays.values()),
            *(lambda p=p: p.run(self._stop) for p in self.consumers.values()),
        ]
        for loop in loops:
            thread = threading.Thread(target=loop, name="pipeline", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()
