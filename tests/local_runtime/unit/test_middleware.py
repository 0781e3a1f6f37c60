"""DynamoDBSerializer: which requests take the lock, and for how long."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from local_runtime.emulator import DynamoDBSerializer


def _streaming_app(seen: list[bool], lock: threading.Lock) -> Any:
    """A WSGI app whose body records, chunk by chunk, whether the lock is held."""

    def app(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [])
        for chunk in (b"a", b"b"):
            seen.append(lock.locked())
            yield chunk

    return app


def _call(target: str | None, path: str = "/") -> tuple[list[bool], list[bytes], bool]:
    """Run one request through the middleware; return lock observations, body, lock after."""
    lock = threading.Lock()
    seen: list[bool] = []
    middleware = DynamoDBSerializer(_streaming_app(seen, lock), lock)
    environ = {"PATH_INFO": path}
    if target is not None:
        environ["HTTP_X_AMZ_TARGET"] = target
    body = list(middleware(environ, lambda status, headers: None))
    return seen, body, lock.locked()


def test_dynamodb_holds_the_lock_until_the_body_is_produced() -> None:
    assert _call("DynamoDB_20120810.TransactWriteItems") == ([True, True], [b"a", b"b"], False)


def test_dynamodb_streams_is_serialized_too() -> None:
    assert _call("DynamoDBStreams_20120810.GetRecords")[0] == [True, True]


def test_moto_reset_is_serialized() -> None:
    assert _call(None, "/moto-api/reset")[0] == [True, True]


def test_other_services_do_not_take_the_lock() -> None:
    assert _call("AmazonSQS.ReceiveMessage")[0] == [False, False]
    assert _call(None)[0] == [False, False]
