"""`python -m local_runtime` (`make run`): the whole platform on one machine until stopped.

In order: the emulator (moto in server mode, with the driver's control API and the chaos runs'
throttling switch on its port), every service's table, the bus, every consumer's queues and
rules, the local EMR and CloudFormation driver, the demo's profiles and pools (seed.py), then
each service as its own process
(`python -m local_runtime.service <name>`), restarted when it dies. Ctrl-C or SIGTERM stops the
services first, then the driver, then the emulator.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from .banner import banner
from .chaos.throttle import Throttler
from .control import DriverControl
from .emr_driver import DriverTimings, LocalAwsDriver
from .emulator import Emulator, PortInUseError
from .resources import create_consumer_queues, create_local_resources
from .seed import seed
from .services import SPECS, service_environment
from .settings import LocalSettings, RunnerSettings, SettingsError
from .supervisor import ChildSpec, Supervisor

EXIT_USAGE = 2
STATE_FILE = "processes.json"
log = logging.getLogger("local_runtime")

__all__ = ["banner", "main"]


def main() -> int:
    """Start everything, wait for Ctrl-C or SIGTERM, stop cleanly; return the exit code."""
    _configure_logging()
    stop = _stop_on_signals()
    configured = _settings()
    if configured is None:
        return EXIT_USAGE
    local, runner = configured
    control = DriverControl()
    emulator = _start_emulator(local, control)
    if emulator is None:
        return EXIT_USAGE
    try:
        _log_to_file(Path(local.log_dir))
        log.info("emulator listening on %s", emulator.endpoint_url)
        _run(emulator, local, runner, control, stop)
    finally:
        emulator.stop()
    log.info("stopped")
    return 0


def _run(
    emulator: Emulator,
    local: LocalSettings,
    runner: RunnerSettings,
    control: DriverControl,
    stop: threading.Event,
) -> None:
    """Resources, driver, seed, services; until `stop`, then services and driver stop."""
    endpoint = emulator.endpoint_url
    _use_dummy_credentials()
    resources = create_local_resources(endpoint, local)
    create_consumer_queues(endpoint, local, [spec.definition for spec in SPECS])
    timings = DriverTimings.from_env(os.environ)
    with LocalAwsDriver(endpoint, local.region, timings, environ=os.environ) as driver:
        control.attach(driver)
        report = seed(endpoint, local, runner, datetime.now(UTC))
        log.info(
            "seeded: created cluster profiles %s, job profiles %s and tenants %s "
            "(existing ones kept)",
            list(report.cluster_profiles),
            list(report.job_profiles),
            list(report.tenants),
        )
        supervisor = Supervisor(
            _children(endpoint, local, runner),
            delay=runner.restart_backoff_seconds,
            max_delay=runner.restart_backoff_max_seconds,
            state_path=Path(local.log_dir) / STATE_FILE,
        )
        supervisor.start()
        try:
            not_ready = supervisor.wait_ready(runner.ready_timeout_seconds, stop)
            if not stop.is_set():
                print(banner(endpoint, local, resources, runner, not_ready), flush=True)
            while not stop.wait(0.2):
                supervisor.check()
            log.info("stopping")
        finally:
            supervisor.stop()
            control.attach(None)


def _children(endpoint: str, local: LocalSettings, runner: RunnerSettings) -> list[ChildSpec]:
    """One process per service the runner starts."""
    return [
        ChildSpec(
            name=spec.name,
            argv=[sys.executable, "-m", "local_runtime.service", spec.name],
            env=service_environment(spec, endpoint, local, runner, os.environ),
            log_path=Path(local.log_dir) / f"{spec.name}.log",
            address=(runner.service_host, runner.ports[spec.name]),
        )
        for spec in SPECS
        if spec.name in runner.services
    ]


def _settings() -> tuple[LocalSettings, RunnerSettings] | None:
    """The settings from the environment, with every service port free; None (logged) if not."""
    try:
        local, runner = LocalSettings.from_env(), RunnerSettings.from_env()
    except SettingsError as error:
        log.error("%s", error)
        return None
    for name in runner.services:
        port = runner.ports[name]
        if not _free(runner.service_host, port):
            variable = f"{name.upper()}_SERVICE_PORT"
            log.error("port %s is already in use: stop what holds it, or set %s", port, variable)
            return None
    return local, runner


def _free(host: str, port: int) -> bool:
    """Whether a server could bind host:port now (as the services' servers do)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _start_emulator(settings: LocalSettings, control: DriverControl) -> Emulator | None:
    """Start the emulator; log why and return None if it cannot."""
    throttler = Throttler()  # off until a chaos run turns it on (/local-chaos/throttle)
    emulator = Emulator(
        settings.emulator_host, settings.emulator_port, [control.wrap, throttler.wrap]
    )
    try:
        emulator.start()
    except PortInUseError as error:
        log.error(
            "port %s is already in use: stop what holds it, or set EMULATOR_PORT to a free port",
            error.port,
        )
        return None
    return emulator


def _use_dummy_credentials() -> None:
    """This process talks only to the emulator: never let boto3 find real credentials."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")


def _stop_on_signals() -> threading.Event:
    """An event that SIGINT or SIGTERM sets, instead of interrupting the process."""
    stop = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        log.info("received %s", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    return stop


def _configure_logging() -> None:
    """Log to stderr; keep werkzeug's per-request lines out of the way."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("botocore.credentials").setLevel(logging.WARNING)


def _log_to_file(log_dir: Path) -> None:
    """Also append the runner's own log (emulator, driver, supervisor) to runner.log."""
    log_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_dir / "runner.log")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logging.getLogger().addHandler(handler)


if __name__ == "__main__":
    sys.exit(main())
