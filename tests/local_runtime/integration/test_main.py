"""`python -m local_runtime` as a subprocess: banner, resources, clean stop, ports in use."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from local_runtime.emulator import client

from .support import free_port

pytestmark = pytest.mark.emulator

REPO = Path(__file__).resolve().parents[3]
STARTUP_TIMEOUT = 60.0


def _env(port: int, log_dir: Path | None = None) -> dict[str, str]:
    """The test process's environment with the emulator on `port`, the job service alone on a
    free port, and logs under `log_dir`."""
    env = dict(os.environ)
    env.update(EMULATOR_HOST="127.0.0.1", EMULATOR_PORT=str(port), PYTHONUNBUFFERED="1")
    env.update(SERVICES="job", JOB_SERVICE_PORT=str(free_port()), READY_TIMEOUT_SECONDS="45")
    if log_dir is not None:
        env["LOG_DIR"] = str(log_dir)
    return env


def _wait_for_banner(process: subprocess.Popen[bytes], stdout: Path) -> str:
    """Wait until the banner is complete in `stdout`; fail if the process ends first."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        text = stdout.read_text()
        if "AWS_SECRET_ACCESS_KEY" in text:
            return text
        assert process.poll() is None, f"exited early with {process.returncode}"
        time.sleep(0.1)
    raise AssertionError(f"no banner within {STARTUP_TIMEOUT} s")


def test_runs_until_sigint_and_exits_zero(tmp_path: Path) -> None:
    port = free_port()
    out, err, logs = tmp_path / "stdout", tmp_path / "stderr", tmp_path / "logs"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "local_runtime"],
            cwd=REPO,
            env=_env(port, logs),
            stdout=stdout,
            stderr=stderr,
        )
        try:
            banner = _wait_for_banner(process, out)
            endpoint = f"http://127.0.0.1:{port}"
            assert f"AWS_ENDPOINT_URL={endpoint}" in banner
            assert "emr-control-plane" in banner
            assert "local-demo-key" in banner and "not answering yet" not in banner
            tables = client("dynamodb", endpoint).list_tables()["TableNames"]
            assert {"job-service-events", "cluster-service-events"} <= set(tables)
            assert "monitor-service-events" in tables
            queues = client("sqs", endpoint).list_queues()["QueueUrls"]
            assert len([url for url in queues if url.endswith("-service-events")]) == 3
            job_pid = json.loads((logs / "processes.json").read_text())["services"]["job"]["pid"]
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert "Traceback" not in err.read_text()
    with pytest.raises(ProcessLookupError):
        os.kill(job_pid, 0)  # the service process was stopped before the runner exited
    assert "job-service stopped" in (logs / "job.log").read_text()


def test_a_taken_port_exits_2_with_a_one_line_message() -> None:
    with socket.create_server(("127.0.0.1", 0)) as holder:
        port = holder.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "local_runtime"],
            cwd=REPO,
            env=_env(port),
            capture_output=True,
            text=True,
            timeout=STARTUP_TIMEOUT,
        )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"port {port}" in lines[0]
    assert "EMULATOR_PORT" in lines[0]
    assert result.stdout == ""


def test_a_taken_service_port_exits_2_naming_its_setting() -> None:
    with socket.create_server(("127.0.0.1", 0)) as holder:
        taken = holder.getsockname()[1]
        env = _env(free_port()) | {"JOB_SERVICE_PORT": str(taken)}
        result = subprocess.run(
            [sys.executable, "-m", "local_runtime"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=STARTUP_TIMEOUT,
        )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert f"port {taken}" in line and "JOB_SERVICE_PORT" in line


def test_reset_clears_moto_state() -> None:
    script = (
        "from local_runtime.emulator import Emulator, client\n"
        "with Emulator(port=0) as e:\n"
        "    sqs = client('sqs', e.endpoint_url)\n"
        "    sqs.create_queue(QueueName='q')\n"
        "    e.reset()\n"
        "    print(len(sqs.list_queues().get('QueueUrls', [])))\n"
    )
    # In a process of its own: moto's state is process-wide and other tests share it.
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=STARTUP_TIMEOUT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"
