"""One runner (`python -m local_runtime`) for the end-to-end tests, stopped as Ctrl-C would."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .platform import Platform, start_platform


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """The whole platform in real processes; after the tests, it must stop cleanly."""
    running = start_platform(tmp_path_factory.mktemp("e2e") / "logs")
    try:
        yield running
    finally:
        pids = [state["pid"] for state in running.processes().values()]
        if running.process.poll() is None:
            assert running.stop() == 0, "the runner did not exit cleanly on SIGINT"
        for pid in pids:
            assert not _alive(pid), f"service process {pid} outlived the runner"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
