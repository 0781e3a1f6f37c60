"""Fixtures shared by every test: dummy AWS credentials and one emulator per test session.

Tests are laid out by kind: `unit/` folders run in memory; `integration/` folders, `system/` and
`e2e/` use the emulator, servers or processes, and are marked `integration` here
(`make test-unit` runs `pytest -m "not integration"`). A unit test that reaches for the emulator
fails.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from local_runtime.emulator import Emulator
from tests.support import (
    dynamodb_client,
    fresh_table,
    require_integration_test,
    set_integration_test_running,
    shared_emulator,
    stop_shared_emulator,
    use_dummy_aws_credentials,
)

use_dummy_aws_credentials()

TESTS = Path(__file__).resolve().parent
INTEGRATION_FOLDERS = {"integration", "system", "e2e"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folders = item.path.resolve().relative_to(TESTS).parts[:-1]
        if INTEGRATION_FOLDERS & set(folders):
            item.add_marker(pytest.mark.integration)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    set_integration_test_running(item.get_closest_marker("integration") is not None)
    try:
        return (yield)
    finally:
        set_integration_test_running(False)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    stop_shared_emulator()


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """moto in server mode on a free port, DynamoDB requests serialized."""
    yield cast(Emulator, _IntegrationOnly(shared_emulator()))


class _IntegrationOnly:
    """The session's emulator, checked on each use: a session fixture is set up once, so this is
    what catches a unit test that gets it after an integration test started it."""

    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    def __getattr__(self, name: str) -> Any:
        require_integration_test("the emulator")
        return getattr(self._emulator, name)


@pytest.fixture
def dynamodb(emulator: Emulator) -> Any:
    return dynamodb_client()


@pytest.fixture
def table(emulator: Emulator) -> str:
    return fresh_table()
