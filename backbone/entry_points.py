"""The Lambda entry points every service has beside its REST API: relay, consume and tick.

A service's `functions.py` makes one `EntryPoints` from how its service is built (from the
environment) and its relay namespace, and names the bound methods as the handlers its
template.yaml lists (`<service>.functions.relay`, `.consume`, `.tick`). The first invocation in
an execution environment (a cold start) builds the service, once; later invocations reuse it.
Nothing is built at import.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any, Generic, Protocol, TypeVar

import boto3

from backbone.messaging.consumer import Consumer
from backbone.messaging.publisher import EventBridgePublisher
from backbone.messaging.relay import Relay, Translate


class _Settings(Protocol):
    @property
    def region(self) -> str: ...

    @property
    def endpoint_url(self) -> str | None: ...


class Service(Protocol):
    """What the entry points use of a service (each service's bootstrap builds one)."""

    @property
    def settings(self) -> _Settings: ...

    @property
    def translate(self) -> Translate: ...

    @property
    def consumer(self) -> Consumer: ...

    def tick(self) -> Any: ...


S = TypeVar("S", bound=Service)


class EntryPoints(Generic[S]):
    """A service's relay, consume and tick handlers, sharing one service per process."""

    def __init__(self, build: Callable[[], S], namespace: str) -> None:
        """`namespace` is part of every relayed event's id: the same as the local pipeline's,
        so ids agree."""
        self._build = build
        self.namespace = namespace
        self._service: S | None = None
        self._relay: Relay | None = None

    def service(self) -> S:
        """The process's service, built on first use."""
        if self._service is None:
            self._service = self._build()
        return self._service

    def relay(self, event: Mapping[str, Any], context: object = None) -> dict[str, Any]:
        """DynamoDB Streams → the bus (BUS_NAME); answers the batch item failures."""
        if self._relay is None:
            settings = self.service().settings
            events = boto3.client(
                "events", region_name=settings.region, endpoint_url=settings.endpoint_url
            )
            publisher = EventBridgePublisher(events, os.environ["BUS_NAME"])
            self._relay = Relay(self.service().translate, publisher, namespace=self.namespace)
        return self._relay.handle_stream_event(event)

    def consume(self, event: Mapping[str, Any], context: object = None) -> dict[str, Any]:
        """SQS messages of the service's queue; answers the batch item failures."""
        return self.service().consumer.handle_sqs_event(event)

    def tick(self, event: Mapping[str, Any], context: object = None) -> dict[str, Any]:
        """The scheduled Tick; answers what it changed (as JSON: Lambda serializes the answer)."""
        answer: dict[str, Any] = json.loads(json.dumps(asdict(self.service().tick()), default=str))
        return answer

    def reset(self) -> None:
        """Forget the service and relay built so far (the next invocation builds them again)."""
        self._service, self._relay = None, None
