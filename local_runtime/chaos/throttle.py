"""Throttling answers from the emulator, on a share of calls, as AWS gives them under load.

WSGI middleware in front of moto. While its rate is above 0 it answers, instead of moto, a share
of EventBridge PutEvents with ThrottlingException, and of DynamoDB calls with
ProvisionedThroughputExceededException or, for TransactWriteItems, a TransactionCanceledException
whose reasons say TransactionConflict. The callers' botocore clients (standard retry mode) and the
event store retry these with back-off and jitter; nothing is changed by a refused call.

Switched at run time, so the runner starts and seeds unthrottled:

    POST /local-chaos/throttle  {"rate": 0.05, "seed"?: 7}   (rate 0 stops it)
    GET  /local-chaos/stats     {"rate", "throttled": {"<kind>": n}}
"""

from __future__ import annotations

import io
import json
import random
import threading
from collections.abc import Callable, Iterable
from typing import Any

from local_runtime.emulator import WsgiApp

PREFIX = "/local-chaos/"
PUT_EVENTS = "AWSEvents.PutEvents"
DYNAMODB = "DynamoDB_20120810."
TRANSACT_WRITE = DYNAMODB + "TransactWriteItems"
KINDS = ("put_events_throttled", "dynamodb_throughput_exceeded", "dynamodb_transaction_conflict")


class Throttler:
    """The middleware's state: rate, random source and counts (one per emulator)."""

    def __init__(self, rate: float = 0.0, seed: int | None = None) -> None:
        self.rate = rate
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.counts: dict[str, int] = dict.fromkeys(KINDS, 0)

    def wrap(self, app: WsgiApp) -> WsgiApp:
        """The middleware in front of `app`."""

        def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            path = str(environ.get("PATH_INFO", ""))
            if path.startswith(PREFIX):
                return _json(start_response, *self._control(environ, path))
            if self.rate > 0:
                refusal = self._refusal(environ)
                if refusal is not None:
                    return _json(start_response, 400, refusal, "application/x-amz-json-1.0")
            return app(environ, start_response)

        return middleware

    def _refusal(self, environ: dict[str, Any]) -> dict[str, Any] | None:
        """The error body to answer instead of moto, or None to let the call through."""
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        if target != PUT_EVENTS and not target.startswith(DYNAMODB):
            return None
        with self._lock:
            if self._random.random() >= self.rate:
                return None
            conflict = target == TRANSACT_WRITE and self._random.random() < 0.5
        if target == PUT_EVENTS:
            self._count("put_events_throttled")
            return {"__type": "ThrottlingException", "message": "Rate exceeded"}
        if conflict:
            items = _transact_items(environ)
            self._count("dynamodb_transaction_conflict")
            reasons = [{"Code": "TransactionConflict", "Message": "Transaction is ongoing"}]
            reasons += [{"Code": "None"}] * max(0, items - 1)
            return {
                "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                "Message": "Transaction cancelled, please refer cancellation reasons for "
                "specific reasons [TransactionConflict]",
                "CancellationReasons": reasons,
            }
        self._count("dynamodb_throughput_exceeded")
        return {
            "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
            "message": "The level of configured provisioned throughput for the table was exceeded.",
        }

    def _count(self, kind: str) -> None:
        with self._lock:
            self.counts[kind] += 1

    def _control(self, environ: dict[str, Any], path: str) -> tuple[int, dict[str, Any]]:
        if path == PREFIX + "stats":
            with self._lock:
                return 200, {"rate": self.rate, "throttled": dict(self.counts)}
        if path != PREFIX + "throttle" or environ.get("REQUEST_METHOD") != "POST":
            return 404, {"error": f"no chaos route {environ.get('REQUEST_METHOD')} {path}"}
        try:
            body = json.loads(_read(environ) or b"{}")
            rate = float(body.get("rate", 0.0))
        except (ValueError, TypeError, AttributeError):
            return 400, {"error": 'send {"rate": a number from 0 to 1, "seed"?: an integer}'}
        if not 0.0 <= rate <= 1.0:
            return 400, {"error": f"rate {rate} is not between 0 and 1"}
        with self._lock:
            self.rate = rate
            if body.get("seed") is not None:
                self._random.seed(int(body["seed"]))
        return 200, {"rate": rate}


def _read(environ: dict[str, Any]) -> bytes:
    """The request's body, left readable for the app behind."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    raw = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(raw)
    return bytes(raw)


def _transact_items(environ: dict[str, Any]) -> int:
    """How many items a TransactWriteItems request holds (1 if unreadable)."""
    try:
        return max(1, len(json.loads(_read(environ))["TransactItems"]))
    except (ValueError, KeyError, TypeError):
        return 1


_STATUS = {200: "200 OK", 400: "400 Bad Request", 404: "404 Not Found"}


def _json(
    start_response: Callable[..., Any],
    status: int,
    body: Any,
    content_type: str = "application/json",
) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start_response(
        _STATUS[status], [("Content-Type", content_type), ("Content-Length", str(len(data)))]
    )
    return [data]
