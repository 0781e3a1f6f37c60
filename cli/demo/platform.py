"""Starting the local platform for the demo when nothing answers on the job service's URL.

`python -m local_runtime` (what `make run` runs) is started as a child process with its output in
a log file, and stopped at the end as Ctrl-C would stop it (SIGINT), then terminated if it lingers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Final

from cli.exits import UNREACHABLE, CliError

STOP_SECONDS: Final = 30.0
LOG_FILE: Final = Path(".run/demo-platform.log")


def answers(url: str, timeout: float = 2.0) -> bool:
    """Whether anything answers HTTP at `url` (any status counts)."""
    try:
        with urllib.request.urlopen(url + "/openapi.json", timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False


class LocalPlatform:
    """The platform as a child process: `start` waits until `ready()` is true."""

    def __init__(
        self,
        ready: Callable[[], bool],
        log_file: Path = LOG_FILE,
        command: list[str] | None = None,
        start_seconds: float = 180.0,
    ) -> None:
        self.ready, self.log_file, self.start_seconds = ready, log_file, start_seconds
        self.command = command or [sys.executable, "-m", "local_runtime"]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("wb") as log:
            self.process = subprocess.Popen(
                self.command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env=os.environ.copy(),
            )
        until = time.monotonic() + self.start_seconds
        while not self.ready():
            if self.process.poll() is not None:
                raise CliError(self._failed(f"exited with {self.process.returncode}"), UNREACHABLE)
            if time.monotonic() > until:
                self.stop()
                raise CliError(
                    self._failed(f"was not ready in {self.start_seconds:g}s"), UNREACHABLE
                )
            time.sleep(0.25)

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(STOP_SECONDS / 3)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _failed(self, what: str) -> str:
        tail = self.log_file.read_text(errors="replace").splitlines()[-15:]
        shown = "\n".join(f"  | {line}" for line in tail)
        return (
            f"the platform ({' '.join(self.command[1:])}) {what}; its log {self.log_file}:\n{shown}"
        )
