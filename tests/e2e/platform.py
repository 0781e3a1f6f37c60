"""The real runner (`python -m local_runtime`) as a subprocess, and HTTP calls to its services."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_runtime.harness.platform import HttpError as HttpError
from local_runtime.harness.platform import call, free_port, wait_for

REPO = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 120.0
DEMO_KEY = "e2e-demo-key"
OPERATOR_KEY = "e2e-operator-key"
MINIMUM, MAXIMUM, IDLE_TTL = 1, 2, 8
TERMINAL = ("succeeded", "failed", "cancelled")


def runner_env(log_dir: Path) -> dict[str, str]:
    """Free ports, fast timings, small pools with a short idle TTL, keys of the test's own."""
    env = dict(os.environ)
    env.update(
        EMULATOR_PORT=str(free_port()),
        JOB_SERVICE_PORT=str(free_port()),
        CLUSTER_SERVICE_PORT=str(free_port()),
        MONITOR_SERVICE_PORT=str(free_port()),
        LOG_DIR=str(log_dir),
        PYTHONUNBUFFERED="1",
        LOCAL_AWS_TIMINGS="",
        LOCAL_AWS_FAILURES="",
        POOL_MINIMUM=str(MINIMUM),
        POOL_MAXIMUM=str(MAXIMUM),
        POOL_IDLE_TTL_SECONDS=str(IDLE_TTL),
        JOB_TICK_SECONDS="1",
        CLUSTER_TICK_SECONDS="3",
        MONITOR_TICK_SECONDS="5",
        POLL_INTERVAL_SECONDS="1",
        QUEUE_WAIT_SECONDS="1",
        QUEUE_VISIBILITY_SECONDS="30",
        RECONCILE_AFTER_SECONDS="30",
        DEMO_API_KEY=DEMO_KEY,
        OPERATOR_API_KEY=OPERATOR_KEY,
    )
    for name in ("TENANT_API_KEYS", "OPERATOR_API_KEYS", "SERVICES", "TICK_INTERVAL_SECONDS"):
        env.pop(name, None)
    return env


@dataclass
class Platform:
    """A running `python -m local_runtime` and where its parts answer."""

    process: subprocess.Popen[bytes]
    env: dict[str, str]
    log_dir: Path
    stdout: Path

    def url(self, service: str) -> str:
        port = self.env[f"{service.upper()}_SERVICE_PORT"]
        return f"http://127.0.0.1:{port}"

    @property
    def emulator_url(self) -> str:
        return f"http://127.0.0.1:{self.env['EMULATOR_PORT']}"

    def jobs(self, method: str, path: str, body: Any = None) -> Any:
        return call(method, self.url("job") + path, DEMO_KEY, body)

    def clusters(self, path: str) -> Any:
        return call("GET", self.url("cluster") + path, OPERATOR_KEY)

    def control(self, path: str, body: Any = None) -> Any:
        return call("POST", f"{self.emulator_url}/local-aws/{path}", "", body or {})

    def processes(self) -> dict[str, Any]:
        """The runner's processes.json: pid, url, log and restarts of each service."""
        state: dict[str, Any] = json.loads((self.log_dir / "processes.json").read_text())
        return dict(state["services"])

    def submit(self, profile: str, priority: str, duration: float, name: str) -> str:
        params = {
            "scoring": {"date": "2026-11-24"},
            "predicting": {"input": "s3://in/x.csv"},
            "training": {"dataset": "s3://data/train"},
        }[profile]
        body = {
            "profile": profile,
            "name": name,
            "priority": priority,
            "parameters": {**params, "duration": duration},
        }
        accepted = self.jobs("POST", "/jobs", body)
        return str(accepted["job_id"])

    def stop(self) -> int:
        """SIGINT, as Ctrl-C; the exit code."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=60)


def start_platform(log_dir: Path) -> Platform:
    """Start the runner and wait until it printed its banner (every service answers)."""
    env = runner_env(log_dir)
    stdout = log_dir.parent / "runner.stdout"
    log_dir.mkdir(parents=True, exist_ok=True)
    with stdout.open("wb") as out, (log_dir.parent / "runner.stderr").open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "local_runtime"], cwd=REPO, env=env, stdout=out, stderr=err
        )
    platform = Platform(process, env, log_dir, stdout)

    def banner() -> bool:
        assert process.poll() is None, f"the runner exited with {process.returncode}"
        return "submit a job with" in stdout.read_text()

    try:
        wait_for("the runner's banner", banner, STARTUP_SECONDS)
    except BaseException:
        process.kill()
        process.wait()
        raise
    assert not re.search(r"not answering yet", stdout.read_text())
    return platform
