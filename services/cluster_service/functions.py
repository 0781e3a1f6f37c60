"""The cluster service's Lambda entry points beside its REST API (`app.app`).

template.yaml names them `cluster_service.functions.relay`, `.consume`, `.tick` and `.authorize`.
The first invocation in an execution environment (a cold start) builds the service from the
environment, once; later invocations reuse it. Nothing is built at import.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any, Final

import boto3

from backbone.http.authorizer import OperatorKeyAuthorizer
from backbone.messaging.publisher import EventBridgePublisher
from backbone.messaging.relay import Relay
from cluster_service.bootstrap import ClusterService, ClusterServiceSettings, bootstrap

RELAY_NAMESPACE: Final = "cluster-service"
"""Part of every relayed event's id: the same as the local pipeline's, so ids agree."""


_service: ClusterService | None = None
_relay: Relay | None = None
_authorizer = OperatorKeyAuthorizer()


def service() -> ClusterService:
    """The process's cluster service, built on first use from the environment."""
    global _service
    if _service is None:
        _service = bootstrap(ClusterServiceSettings.from_env(os.environ))
    return _service


def relay(event: Mapping[str, Any], context: object = None) -> dict[str, Any]:
    """DynamoDB Streams → the bus (BUS_NAME); answers the batch item failures."""
    global _relay
    if _relay is None:
        settings = service().settings
        events = boto3.client(
            "events", region_name=settings.region, endpoint_url=settings.endpoint_url
        )
        publisher = EventBridgePublisher(events, os.environ["BUS_NAME"])
        _relay = Relay(service().translate, publisher, namespace=RELAY_NAMESPACE)
    return _relay.handle_stream_event(event)


def consume(event: Mapping[str, Any], context: object = None) -> dict[str, Any]:
    """SQS messages of the service's queue; answers the batch item failures."""
    return service().consumer.handle_sqs_event(event)


def tick(event: Mapping[str, Any], context: object = None) -> dict[str, Any]:
    """The scheduled tick; answers what it changed (as JSON: Lambda serializes the answer)."""
    answer: dict[str, Any] = json.loads(json.dumps(asdict(service().tick()), default=str))
    return answer


def authorize(event: Mapping[str, Any], context: object = None) -> dict[str, Any]:
    """The API's REQUEST authorizer: the operator whose key is in X-Api-Key, else a 401."""
    return _authorizer(event)
