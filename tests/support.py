"""Helpers for tests, including unittest-style suites that cannot take pytest fixtures."""

from __future__ import annotations

import os
import threading
import uuid
from typing import Any

from backbone.eventstore import create_table
from local_runtime.emulator import Emulator, client

_lock = threading.Lock()
_emulator: Emulator | None = None
_integration_test_running = False
"""Whether the test running now is an integration test (tests/conftest.py sets it around each)."""

# boto3 must never find real credentials or a real region on the machine running the tests.
DUMMY_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


def use_dummy_aws_credentials() -> None:
    os.environ.update(DUMMY_AWS_ENV)
    os.environ.pop("AWS_PROFILE", None)


def set_integration_test_running(running: bool) -> None:
    global _integration_test_running
    _integration_test_running = running


def require_integration_test(what: str) -> None:
    """Fail a unit test that reaches for the emulator: it belongs under an integration/ folder."""
    if not _integration_test_running:
        raise RuntimeError(
            f"{what} is for integration tests only; move the test under an integration/ folder"
        )


def shared_emulator() -> Emulator:
    """One moto server for the whole test session, started on first use, on a free port."""
    global _emulator
    require_integration_test("the emulator")
    with _lock:
        if _emulator is None:
            _emulator = Emulator(port=0)
            _emulator.start()
        return _emulator


def stop_shared_emulator() -> None:
    global _emulator
    with _lock:
        if _emulator is not None:
            _emulator.stop()
            _emulator = None


def unique_name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def dynamodb_client() -> Any:
    return client("dynamodb", shared_emulator().endpoint_url)


def fresh_table(prefix: str = "events") -> str:
    """A new event-store table: moto's queries slow down with the size of the whole table."""
    name = unique_name(prefix)
    create_table(dynamodb_client(), name)
    return name
