"""Starts the services' processes, restarts one that dies (with back-off), stops them all.

Each child runs in a session of its own, so Ctrl-C in the terminal reaches only the runner,
which then stops the children first (SIGTERM, then SIGKILL after a grace period). A child's
output is appended to its log file. A child that dies is started again after a delay that
doubles with each death (up to a maximum) and is reset once the child has run for a while.
Where each child runs (pid, URL, log, restarts) is written to a JSON state file.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

STABLE_SECONDS = 30.0
"""A child that ran this long is healthy again: its next restart waits the first delay."""
CHECK_SECONDS = 0.2
log = logging.getLogger("local_runtime.supervisor")


@dataclass(frozen=True)
class ChildSpec:
    """One process to keep running."""

    name: str
    argv: Sequence[str]
    env: dict[str, str]
    log_path: Path
    address: tuple[str, int] | None = None
    """Where it answers once ready (TCP); None: ready once started."""


class Child:
    """A child process, its restarts and its back-off."""

    def __init__(self, spec: ChildSpec, delay: float, max_delay: float) -> None:
        self.spec = spec
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self.started_at = 0.0
        self.restart_at: float | None = None
        self._first_delay, self._delay, self._max_delay = delay, delay, max_delay
        self._log: IO[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def start(self, now: float) -> None:
        """Start the process, its output appended to its log file."""
        self.close_log()
        self.spec.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.spec.log_path.open("ab")
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        self._log.write(f"--- {self.spec.name} starting at {stamp} ---\n".encode())
        self._log.flush()
        self.process = subprocess.Popen(
            list(self.spec.argv),
            env=self.spec.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started_at, self.restart_at = now, None
        log.info("%s started (pid %s), log %s", self.spec.name, self.pid, self.spec.log_path)

    def check(self, now: float) -> bool:
        """Notice a death and restart when its delay is over; True if it was (re)started."""
        if self.process is None:
            return False
        code = self.process.poll()
        if code is None:
            if now - self.started_at >= STABLE_SECONDS:
                self._delay = self._first_delay
            return False
        if self.restart_at is None:
            self.restart_at = now + self._delay
            log.warning(
                "%s (pid %s) exited with %s after %.1f s; restarting in %.1f s",
                self.spec.name,
                self.pid,
                _describe(code),
                now - self.started_at,
                self._delay,
            )
            self._delay = min(2 * self._delay, self._max_delay)
        if now < self.restart_at:
            return False
        self.restarts += 1
        self.start(now)
        return True

    def ready(self) -> bool:
        """Running and, if it has an address, accepting connections there."""
        if self.process is None or self.process.poll() is not None:
            return False
        if self.spec.address is None:
            return True
        try:
            with socket.create_connection(self.spec.address, timeout=0.5):
                return True
        except OSError:
            return False

    def close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


class Supervisor:
    """Keeps a set of children running until stop()."""

    def __init__(
        self,
        specs: Sequence[ChildSpec],
        *,
        delay: float = 1.0,
        max_delay: float = 30.0,
        state_path: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.children = [Child(spec, delay, max_delay) for spec in specs]
        self._state_path, self._clock = state_path, clock
        self._lock = threading.Lock()
        self._stopping = False

    def start(self) -> None:
        with self._lock:
            for child in self.children:
                child.start(self._clock())
            self._write_state()

    def check(self) -> None:
        """Restart the children that died, once their back-off is over."""
        with self._lock:
            if self._stopping:
                return
            if any([child.check(self._clock()) for child in self.children]):
                self._write_state()

    def wait_ready(self, timeout: float, stop: threading.Event) -> list[str]:
        """Wait until every child is ready (restarting those that die); the names not ready."""
        deadline = self._clock() + timeout
        waiting = list(self.children)
        while waiting and self._clock() < deadline and not stop.is_set():
            self.check()
            waiting = [child for child in waiting if not child.ready()]
            stop.wait(CHECK_SECONDS)
        return [child.spec.name for child in waiting]

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM every child, SIGKILL those still running after `grace` seconds."""
        with self._lock:
            self._stopping = True
        running = [c for c in self.children if c.process is not None and c.process.poll() is None]
        for child in running:
            log.info("stopping %s (pid %s)", child.spec.name, child.pid)
            _signal(child, signal.SIGTERM)
        deadline = self._clock() + grace
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(0.1, deadline - self._clock()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in %.0f s: killing it", child.spec.name, grace)
                _signal(child, signal.SIGKILL)
                child.process.wait()
        for child in self.children:
            child.close_log()

    def _write_state(self) -> None:
        """Where each child runs, for people and tests (written whole, then renamed)."""
        if self._state_path is None:
            return
        state = {
            "runner_pid": os.getpid(),
            "services": {c.spec.name: _state(c) for c in self.children},
        }
        temporary = self._state_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, indent=2))
        temporary.replace(self._state_path)


def _state(child: Child) -> dict[str, Any]:
    address = child.spec.address
    return {
        "pid": child.pid,
        "url": None if address is None else f"http://{address[0]}:{address[1]}",
        "log": str(child.spec.log_path),
        "restarts": child.restarts,
    }


def _signal(child: Child, signum: signal.Signals) -> None:
    if child.process is not None and child.process.poll() is None:
        child.process.send_signal(signum)


def _describe(code: int) -> str:
    """An exit code in words: 'code 1' or 'SIGKILL'."""
    if code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return f"signal {-code}"
    return f"code {code}"
