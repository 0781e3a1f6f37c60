"""Supervisor: restarts with back-off, readiness, the state file, and stopping children."""

from __future__ import annotations

import json
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_runtime.supervisor import STABLE_SECONDS, ChildSpec, Supervisor


class Clock:
    """Virtual time for the supervisor's back-off; the children are real processes."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def child(
    tmp_path: Path, name: str, code: str, address: tuple[str, int] | None = None
) -> ChildSpec:
    return ChildSpec(name, [sys.executable, "-c", code], {}, tmp_path / f"{name}.log", address)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def supervisors() -> Iterator[list[Supervisor]]:
    made: list[Supervisor] = []
    yield made
    for supervisor in made:
        supervisor.stop(grace=5)


def make(
    supervisors: list[Supervisor], specs: list[ChildSpec], clock: Clock, tmp_path: Path
) -> Supervisor:
    supervisor = Supervisor(
        specs, delay=1.0, max_delay=4.0, state_path=tmp_path / "state.json", clock=clock
    )
    supervisors.append(supervisor)
    return supervisor


def died(supervisor: Supervisor) -> None:
    """Wait until every child's current process has ended."""
    for running in supervisor.children:
        assert running.process is not None
        running.process.wait(timeout=30)


def test_a_child_that_dies_is_restarted_after_a_doubling_delay(
    tmp_path: Path, clock: Clock, supervisors: list[Supervisor]
) -> None:
    # Given a child that exits at once
    supervisor = make(supervisors, [child(tmp_path, "flaky", "print('hello')")], clock, tmp_path)
    supervisor.start()
    (flaky,) = supervisor.children
    first_pid = flaky.pid
    died(supervisor)
    # When the supervisor looks before and after the first delay (1 s)
    supervisor.check()
    clock.now = 0.9
    supervisor.check()
    assert (flaky.pid, flaky.restarts) == (first_pid, 0)
    clock.now = 1.0
    supervisor.check()
    # Then it was started again, and the next restart waits twice as long
    assert flaky.restarts == 1 and flaky.pid != first_pid
    died(supervisor)
    supervisor.check()
    assert flaky.restart_at == 3.0
    # And the state file and the log say so
    state = json.loads((tmp_path / "state.json").read_text())
    assert state["services"]["flaky"]["pid"] == flaky.pid
    assert state["services"]["flaky"]["restarts"] == 1
    text = (tmp_path / "flaky.log").read_text()
    assert text.count("--- flaky starting at") == 2 and text.count("hello") == 2


def test_the_delay_goes_back_to_the_first_once_a_child_ran_for_a_while(
    tmp_path: Path, clock: Clock, supervisors: list[Supervisor]
) -> None:
    supervisor = make(
        supervisors, [child(tmp_path, "steady", "import time; time.sleep(60)")], clock, tmp_path
    )
    supervisor.start()
    (steady,) = supervisor.children
    for _ in range(2):  # two quick deaths: the delay is now 4 s
        assert steady.process is not None
        steady.process.kill()
        died(supervisor)
        supervisor.check()
        clock.now = steady.restart_at or 0.0
        supervisor.check()
    clock.now += STABLE_SECONDS
    supervisor.check()
    assert steady.process is not None
    steady.process.kill()
    died(supervisor)
    supervisor.check()
    assert steady.restart_at == clock.now + 1.0


def test_stop_terminates_children_and_kills_those_that_ignore_it(
    tmp_path: Path, clock: Clock, supervisors: list[Supervisor]
) -> None:
    polite = "import time; time.sleep(60)"
    stubborn = (
        "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(60)"
    )
    supervisor = make(
        supervisors,
        [child(tmp_path, "polite", polite), child(tmp_path, "stubborn", stubborn)],
        clock,
        tmp_path,
    )
    supervisor.start()
    log = tmp_path / "stubborn.log"
    assert _eventually(lambda: "ready" in log.read_text())
    supervisor.stop(grace=1.0)
    codes = {c.spec.name: c.process.returncode for c in supervisor.children if c.process}
    assert codes == {"polite": -signal.SIGTERM, "stubborn": -signal.SIGKILL}


def test_a_child_is_ready_once_it_accepts_connections(
    tmp_path: Path, clock: Clock, supervisors: list[Supervisor]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = f"import socket, time; s = socket.create_server(('127.0.0.1', {port})); time.sleep(60)"
    spec = child(tmp_path, "server", server, ("127.0.0.1", port))
    supervisor = make(supervisors, [spec], clock, tmp_path)
    supervisor.start()
    assert supervisor.wait_ready(30.0, threading.Event()) == []
    state = json.loads((tmp_path / "state.json").read_text())
    assert state["services"]["server"]["url"] == f"http://127.0.0.1:{port}"


def test_a_child_that_never_answers_is_reported_not_ready(
    tmp_path: Path, supervisors: list[Supervisor]
) -> None:
    spec = child(tmp_path, "mute", "import time; time.sleep(60)", ("127.0.0.1", 9))
    supervisor = Supervisor([spec], delay=1.0)
    supervisors.append(supervisor)
    supervisor.start()
    assert supervisor.wait_ready(1.0, threading.Event()) == ["mute"]


def _eventually(condition: object, timeout: float = 30.0) -> bool:
    stop = threading.Event()
    for _ in range(int(timeout / 0.05)):
        if callable(condition) and condition():
            return True
        stop.wait(0.05)
    return False
