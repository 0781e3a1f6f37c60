"""Fixtures shared by every test: dummy AWS credentials and one emulator per test session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from local_runtime.emulator import Emulator
from tests.support import (
    dynamodb_client,
    fresh_table,
    shared_emulator,
    stop_shared_emulator,
    use_dummy_aws_credentials,
)

use_dummy_aws_credentials()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    stop_shared_emulator()


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """moto in server mode on a free port, DynamoDB requests serialized."""
    yield shared_emulator()


@pytest.fixture
def dynamodb(emulator: Emulator) -> Any:
    return dynamodb_client()


@pytest.fixture
def table(emulator: Emulator) -> str:
    return fresh_table()
