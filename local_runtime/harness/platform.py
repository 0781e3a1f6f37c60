"""The real runner (`python -m local_runtime`, what `make run` starts) as a subprocess.

The soak and chaos runs start it on free ports with its own log folder, so they never collide
with a `make run` already on the machine, and talk to it only over HTTP, as a user would.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

STARTUP_SECONDS = 180.0
BANNER = "submit a job with"
DEMO_KEY = "harness-demo-key"
ACME_KEY = "harness-acme-key"
OPERATOR_KEY = "harness-operator-key"
SERVICES = ("job", "cluster", "monitor")
T = TypeVar("T")


class HttpError(Exception):
    """A 4xx or 5xx answer: its status and the start of its body."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:300]}")
        self.status = status


def free_port() -> int:
    """A TCP port free on the loopback now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def call(method: str, url: str, key: str, body: Any = None, timeout: float = 20.0) -> Any:
    """One JSON request; the decoded answer, HttpError for a 4xx/5xx."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("X-Api-Key", key)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raise HttpError(error.code, error.read().decode(errors="replace")) from None


def wait_for(what: str, probe: Callable[[], T | None], timeout: float, every: float = 0.5) -> T:
    """Poll `probe` until it answers something other than None/False; TimeoutError after."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value is not None and value is not False:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(every)


def runner_env(log_dir: Path, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Free ports, fast driver timings, the harness's own keys, then `overrides`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TENANT_API_KEYS", "OPERATOR_API_KEYS", "SERVICES", "TICK_INTERVAL_SECONDS")
    }
    env.update(
        EMULATOR_PORT=str(free_port()),
        JOB_SERVICE_PORT=str(free_port()),
        CLUSTER_SERVICE_PORT=str(free_port()),
        MONITOR_SERVICE_PORT=str(free_port()),
        LOG_DIR=str(log_dir),
        PYTHONUNBUFFERED="1",
        LOCAL_AWS_TIMINGS="",
        LOCAL_AWS_FAILURES="",
        DEMO_API_KEY=DEMO_KEY,
        ACME_API_KEY=ACME_KEY,
        OPERATOR_API_KEY=OPERATOR_KEY,
    )
    env.update(overrides or {})
    return env


@dataclass
class Platform:
    """A running runner and where its parts answer."""

    process: subprocess.Popen[bytes]
    env: dict[str, str]
    log_dir: Path

    def url(self, service: str) -> str:
        """A service's base URL."""
        return f"http://127.0.0.1:{self.env[f'{service.upper()}_SERVICE_PORT']}"

    @property
    def emulator_url(self) -> str:
        return f"http://127.0.0.1:{self.env['EMULATOR_PORT']}"

    def state(self) -> dict[str, Any]:
        """The runner's processes.json (runner pid; each service's pid and restarts)."""
        return dict(json.loads((self.log_dir / "processes.json").read_text()))

    def pids(self) -> dict[str, int]:
        """The pid of the runner and of each service process now."""
        state = self.state()
        pids = {"runner": int(state["runner_pid"])}
        for name, service in state["services"].items():
            if service.get("pid"):
                pids[name] = int(service["pid"])
        return pids

    def stop(self, timeout: float = 90.0) -> int:
        """SIGINT, as Ctrl-C; the exit code (killed if it does not stop in `timeout`)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def start_platform(log_dir: Path, overrides: Mapping[str, str] | None = None) -> Platform:
    """Start the runner and wait until it printed its banner (every service answers)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    env = runner_env(log_dir, overrides)
    stdout = log_dir / "runner.stdout"
    with stdout.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "local_runtime"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    platform = Platform(process, env, log_dir)

    def banner() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"the runner exited with {process.returncode}; see {stdout}")
        return BANNER in stdout.read_text(errors="replace")

    try:
        wait_for("the runner's banner", banner, STARTUP_SECONDS)
    except BaseException:
        platform.stop(timeout=30)
        raise
    return platform


def rss_mb(pid: int) -> float | None:
    """A process's resident memory in MB (Linux /proc), None if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def submit(
    platform: Platform, key: str, profile: str, priority: str, seconds: float, name: str
) -> str:
    """Submit one job of a seeded profile that runs `seconds`; its id."""
    params: dict[str, Any] = {
        "scoring": {"date": "2026-11-24"},
        "predicting": {"input": "s3://harness/in.csv"},
        "training": {"dataset": "s3://harness/train"},
    }[profile]
    body = {
        "profile": profile,
        "name": name,
        "priority": priority,
        "parameters": {**params, "duration": round(seconds, 2)},
    }
    return str(call("POST", platform.url("job") + "/jobs", key, body)["job_id"])
