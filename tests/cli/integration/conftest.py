"""Fixtures of the jobctl tests: the job and cluster services served over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cli.support import Platform


@pytest.fixture
def platform() -> Iterator[Platform]:
    served = Platform.start()
    try:
        yield served
    finally:
        served.close()
