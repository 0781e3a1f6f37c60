"""An API Gateway REQUEST authorizer for operators' API keys kept in SSM Parameter Store.

The keys ("operator=key,...", as OPERATOR_API_KEYS locally) are the SecureString parameter that
OPERATOR_API_KEYS_PARAMETER names; a warm authorizer reads it again once KEYS_MAX_AGE_SECONDS
have passed. The API sees the operator as `authorizer.operator_id`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any, Final

import boto3

from backbone.http.identity import API_KEY_HEADER, key_owner, parse_api_keys

OPERATOR: Final = "operator"
"""The owner of a key given without a name, as in OPERATOR_API_KEYS."""
KEYS_MAX_AGE_SECONDS: Final = 300.0
"""How long a changed key parameter may go unseen by a warm authorizer."""


class OperatorKeyAuthorizer:
    """Call it with the authorizer's event: the IAM policy for the key's operator, or
    PermissionError("Unauthorized"), the message API Gateway answers 401 for."""

    def __init__(self) -> None:
        self._keys: tuple[float, dict[str, str]] | None = None

    def __call__(self, event: Mapping[str, Any]) -> dict[str, Any]:
        headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
        operator = key_owner(headers.get(API_KEY_HEADER.lower(), ""), self._operator_keys())
        if operator is None:
            raise PermissionError("Unauthorized")
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

    def _operator_keys(self) -> dict[str, str]:
        """{key: operator}, read again once KEYS_MAX_AGE_SECONDS have passed."""
        if self._keys is None or time.monotonic() - self._keys[0] > KEYS_MAX_AGE_SECONDS:
            name = os.environ["OPERATOR_API_KEYS_PARAMETER"]
            ssm = boto3.client("ssm", endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None)
            raw = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
            self._keys = (time.monotonic(), parse_api_keys(raw, name, OPERATOR))
        return self._keys[1]
