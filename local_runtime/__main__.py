"""`python -m local_runtime`: run the emulator with the platform's resources until stopped."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from types import FrameType

from .emr_driver import DriverTimings, LocalAwsDriver
from .emulator import Emulator, PortInUseError
from .resources import LocalResources, create_local_resources
from .settings import LocalSettings, SettingsError

EXIT_USAGE = 2
log = logging.getLogger("local_runtime")


def main() -> int:
    """Start everything, wait for Ctrl-C or SIGTERM, stop cleanly; return the exit code."""
    _configure_logging()
    stop = _stop_on_signals()
    started = _start_emulator()
    if started is None:
        return EXIT_USAGE
    emulator, settings = started
    try:
        log.info("emulator listening on %s", emulator.endpoint_url)
        resources = create_local_resources(emulator.endpoint_url, settings)
        timings = DriverTimings.from_env(os.environ)
        with LocalAwsDriver(emulator.endpoint_url, settings.region, timings, environ=os.environ):
            print(banner(emulator.endpoint_url, settings, resources), flush=True)
            while not stop.wait(0.5):
                pass
            log.info("stopping")
    finally:
        emulator.stop()
    log.info("stopped")
    return 0


def _start_emulator() -> tuple[Emulator, LocalSettings] | None:
    """Start the emulator from the environment's settings; log why and return None if not."""
    try:
        settings = LocalSettings.from_env()
        emulator = Emulator(settings.emulator_host, settings.emulator_port)
        emulator.start()
    except SettingsError as error:
        log.error("%s", error)
        return None
    except PortInUseError as error:
        log.error(
            "port %s is already in use: stop what holds it, or set EMULATOR_PORT to a free port",
            error.port,
        )
        return None
    return emulator, settings


def banner(endpoint_url: str, settings: LocalSettings, resources: LocalResources) -> str:
    """The startup banner: what runs where, and how to point clients at it."""
    lines = [
        "local runtime is running (Ctrl-C stops it)",
        f"  emulator (moto server): {endpoint_url}",
        f"  region:                 {settings.region}",
        f"  event-store tables:     {', '.join(resources.tables)}",
        f"  event bus:              {resources.bus_name} ({resources.bus_arn})",
        "  EMR and CloudFormation: moved through AWS's state sequences by the local driver",
        "    LOCAL_AWS_TIMINGS=realistic gives EMR-like minutes;",
        "    LOCAL_AWS_FAILURES=stack_create=0.1,step=0.1 injects failures",
        "point boto3 or the aws cli at it with:",
        f"  export AWS_ENDPOINT_URL={endpoint_url}",
        f"  export AWS_DEFAULT_REGION={settings.region}",
        "  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing",
    ]
    return "\n".join(lines)


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


if __name__ == "__main__":
    sys.exit(main())
