"""Settings of the local runtime, read from environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


class SettingsError(ValueError):
    """An environment variable of the local runtime has an unusable value."""


@dataclass(frozen=True)
class LocalSettings:
    """Where the emulator listens and what the local runtime creates in it."""

    emulator_host: str = "127.0.0.1"
    emulator_port: int = 5000
    bus_name: str = "emr-control-plane"
    job_table: str = "job-service-events"
    cluster_table: str = "cluster-service-events"
    monitor_table: str = "monitor-service-events"
    region: str = "us-east-1"
    log_dir: str = ".run/logs"

    @property
    def tables(self) -> tuple[str, ...]:
        """The event-store table names of all three services."""
        return (self.job_table, self.cluster_table, self.monitor_table)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LocalSettings:
        """Read the settings from `environ` (the process environment if None)."""
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            emulator_host=env.get("EMULATOR_HOST", defaults.emulator_host),
            emulator_port=_port(env.get("EMULATOR_PORT"), defaults.emulator_port),
            bus_name=env.get("BUS_NAME", defaults.bus_name),
            job_table=env.get("JOB_SERVICE_TABLE", defaults.job_table),
            cluster_table=env.get("CLUSTER_SERVICE_TABLE", defaults.cluster_table),
            monitor_table=env.get("MONITOR_SERVICE_TABLE", defaults.monitor_table),
            region=env.get("REGION", defaults.region),
            log_dir=env.get("LOG_DIR", defaults.log_dir),
        )


def _port(raw: str | None, default: int) -> int:
    """Parse EMULATOR_PORT, naming the setting when it is not a port number."""
    if raw is None or raw.strip() == "":
        return default
    try:
        port = int(raw)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise SettingsError(f"EMULATOR_PORT={raw!r} is not a port number (0-65535)")
    return port
