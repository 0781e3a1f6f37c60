"""Fixtures of the local runtime's tests: an emulator of their own on a free port."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from backbone.eventstore.table import create_table
from local_runtime.emulator import Emulator, client
from tests.support import require_integration_test

from .support import unique


@pytest.fixture(scope="module")
def local_emulator() -> Iterator[Emulator]:
    """moto in server mode on a free port, stopped after the module."""
    require_integration_test("an emulator")
    with Emulator(port=0) as emulator:
        yield emulator


@pytest.fixture
def ddb(local_emulator: Emulator) -> Any:
    """A DynamoDB client for the emulator."""
    return client("dynamodb", local_emulator.endpoint_url)


@pytest.fixture
def event_table(ddb: Any) -> str:
    """A fresh event-store table."""
    name = unique("events")
    create_table(ddb, name)
    return name
