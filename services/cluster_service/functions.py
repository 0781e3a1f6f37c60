"""The cluster service's Lambda entry points beside its REST API (`app.app`).

template.yaml names them `cluster_service.functions.relay`, `.consume`, `.tick` and `.authorize`.
The first invocation in an execution environment (a cold start) builds the service from the
environment, once; later invocations reuse it. Nothing is built at import.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any, Final

import boto3

from backbone.http.identity import API_KEY_HEADER, key_owner, parse_api_keys
from backbone.messaging.publisher import EventBridgePublisher
from backbone.messaging.relay import Relay
from cluster_service.bootstrap import ClusterService, ClusterServiceSettings, bootstrap

RELAY_NAMESPACE: Final = "cluster-service"
"""Part of every relayed event's id: the same as the local pipeline's, so ids agree."""

OPERATOR: Final = "operator"
"""The owner of a key given without a name, as in OPERATOR_API_KEYS."""
KEYS_MAX_AGE_SECONDS: Final = 300.0
"""How long a changed key parameter may go unseen by a warm authorizer."""

_service: ClusterService | None = None
_relay: Relay | None = None
_keys: tuple[float, dict[str, str]] | None = None


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
    """The API's REQUEST authorizer: the operator whose key is in X-Api-Key, else a 401.

    Keys ("operator=key,...", as OPERATOR_API_KEYS) are the SecureString parameter that
    OPERATOR_API_KEYS_PARAMETER names; the API sees the operator as `authorizer.operator_id`.
    """
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    operator = key_owner(headers.get(API_KEY_HEADER.lower(), ""), _operator_keys())
    if operator is None:
        raise PermissionError("Unauthorized")  # the message API Gateway answers 401 for
    api_and_stage = "/".join(str(event["methodArn"]).split("/")[:2])
    statement = {
        "Effect": "Allow",
        "Action": "execute-api:Invoke",
        "Resource": f"{api_and_stage}/*",
    }
    return {
        "principalId": operator,
        "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        "context": {"operator_id": operator},
    }


def _operator_keys() -> dict[str, str]:
    """{key: operator}, read again once KEYS_MAX_AGE_SECONDS have passed."""
    global _keys
    if _keys is None or time.monotonic() - _keys[0] > KEYS_MAX_AGE_SECONDS:
        name = os.environ["OPERATOR_API_KEYS_PARAMETER"]
        ssm = boto3.client("ssm", endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None)
        raw = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
        _keys = (time.monotonic(), parse_api_keys(raw, name, OPERATOR))
    return _keys[1]
