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
            emulator_port=_port(env, "EMULATOR_PORT", defaults.emulator_port),
            bus_name=env.get("BUS_NAME", defaults.bus_name),
            job_table=env.get("JOB_SERVICE_TABLE", defaults.job_table),
            cluster_table=env.get("CLUSTER_SERVICE_TABLE", defaults.cluster_table),
            monitor_table=env.get("MONITOR_SERVICE_TABLE", defaults.monitor_table),
            region=env.get("REGION", defaults.region),
            log_dir=env.get("LOG_DIR", defaults.log_dir),
        )


SERVICE_NAMES = ("job", "cluster", "monitor")
REALISTIC_IDLE_TTL_SECONDS = 900
"""POOL_IDLE_TTL_SECONDS when LOCAL_AWS_TIMINGS asks for realistic timings."""


@dataclass(frozen=True)
class RunnerSettings:
    """How `make run` runs the services: ports, intervals, the demo's pools and keys."""

    service_host: str = "127.0.0.1"
    job_port: int = 8001
    cluster_port: int = 8002
    monitor_port: int = 8003
    services: tuple[str, ...] = SERVICE_NAMES
    """Which services to start (SERVICES=job,cluster); all three by default."""
    job_tick_seconds: int = 2
    """The job service's Tick: it gives free slots to jobs submitted since the last event."""
    cluster_tick_seconds: int = 5
    """The cluster service's Tick: idle TTLs, reconciliation with CloudFormation and EMR."""
    monitor_tick_seconds: int = 5
    """The monitor's Tick: SLA breaches, heartbeat staleness (timeout: three ticks)."""
    poll_seconds: float = 1.0
    """Pause between two reads of a table's stream by its relay."""
    queue_wait_seconds: int = 2
    """SQS long poll of the consumers (also bounds how long a stop takes)."""
    queue_visibility_seconds: int = 60
    """How long a received message stays hidden: a crashed consumer's batch returns after it
    (keep it above the time a slow batch takes, or the batch is handled twice)."""
    reconcile_after_seconds: int = 30
    """When the services ask EMR and CloudFormation about what they have not heard of."""
    pool_minimum: int = 1
    pool_maximum: int = 3
    idle_ttl_seconds: int = 30
    demo_tenant: str = "demo"
    demo_api_key: str = "local-demo-key"
    acme_api_key: str = "local-acme-key"
    """The key of the second seeded tenant, acme (weight 2), stored by the job service."""
    operator_api_key: str = "local-operator-key"
    restart_backoff_seconds: float = 1.0
    restart_backoff_max_seconds: float = 30.0
    ready_timeout_seconds: float = 90.0
    """How long the runner waits for every service to answer before it gives up."""

    @property
    def ports(self) -> dict[str, int]:
        """Each service's HTTP port, by service name."""
        return {"job": self.job_port, "cluster": self.cluster_port, "monitor": self.monitor_port}

    def tick_seconds(self, service: str) -> int:
        """A service's Tick interval (it gets it as TICK_INTERVAL_SECONDS)."""
        ticks = {"job": self.job_tick_seconds, "cluster": self.cluster_tick_seconds}
        return ticks.get(service, self.monitor_tick_seconds)

    def url(self, service: str) -> str:
        """The base URL of a service's REST API."""
        return f"http://{self.service_host}:{self.ports[service]}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RunnerSettings:
        """Read the settings from `environ` (the process environment if None)."""
        env = os.environ if environ is None else environ
        d = cls(idle_ttl_seconds=_default_idle_ttl(env))
        return cls(
            service_host=env.get("SERVICE_HOST", d.service_host),
            job_port=_port(env, "JOB_SERVICE_PORT", d.job_port, least=1),
            cluster_port=_port(env, "CLUSTER_SERVICE_PORT", d.cluster_port, least=1),
            monitor_port=_port(env, "MONITOR_SERVICE_PORT", d.monitor_port, least=1),
            services=_services(env.get("SERVICES", "")) or d.services,
            job_tick_seconds=_tick(env, "JOB", d.job_tick_seconds),
            cluster_tick_seconds=_tick(env, "CLUSTER", d.cluster_tick_seconds),
            monitor_tick_seconds=_tick(env, "MONITOR", d.monitor_tick_seconds),
            poll_seconds=_number(env, "POLL_INTERVAL_SECONDS", d.poll_seconds, 0.05),
            queue_wait_seconds=int(_number(env, "QUEUE_WAIT_SECONDS", 2, 0, whole=True)),
            queue_visibility_seconds=int(
                _number(env, "QUEUE_VISIBILITY_SECONDS", d.queue_visibility_seconds, 1, whole=True)
            ),
            reconcile_after_seconds=int(
                _number(env, "RECONCILE_AFTER_SECONDS", d.reconcile_after_seconds, 1, whole=True)
            ),
            pool_minimum=int(_number(env, "POOL_MINIMUM", d.pool_minimum, 0, whole=True)),
            pool_maximum=int(_number(env, "POOL_MAXIMUM", d.pool_maximum, 1, whole=True)),
            idle_ttl_seconds=int(
                _number(env, "POOL_IDLE_TTL_SECONDS", d.idle_ttl_seconds, 0, whole=True)
            ),
            demo_tenant=env.get("DEMO_TENANT") or d.demo_tenant,
            demo_api_key=env.get("DEMO_API_KEY") or d.demo_api_key,
            acme_api_key=env.get("ACME_API_KEY") or d.acme_api_key,
            operator_api_key=env.get("OPERATOR_API_KEY") or d.operator_api_key,
            restart_backoff_seconds=_number(env, "RESTART_BACKOFF_SECONDS", 1.0, 0.1),
            restart_backoff_max_seconds=_number(env, "RESTART_BACKOFF_MAX_SECONDS", 30.0, 0.1),
            ready_timeout_seconds=_number(env, "READY_TIMEOUT_SECONDS", 90.0, 1.0),
        ).checked()

    def checked(self) -> RunnerSettings:
        """These settings, once the ones that must agree with each other do."""
        if self.pool_minimum > self.pool_maximum:
            raise SettingsError(
                f"POOL_MINIMUM={self.pool_minimum} is above POOL_MAXIMUM={self.pool_maximum}"
            )
        return self


def _default_idle_ttl(env: Mapping[str, str]) -> int:
    """Short with the fast driver timings, EMR-like with the realistic ones."""
    realistic = env.get("LOCAL_AWS_TIMINGS", "").strip().startswith("realistic")
    return REALISTIC_IDLE_TTL_SECONDS if realistic else RunnerSettings.idle_ttl_seconds


def _tick(env: Mapping[str, str], service: str, default: int) -> int:
    """<SERVICE>_TICK_SECONDS, else TICK_INTERVAL_SECONDS (all three), else the default."""
    shared = int(_number(env, "TICK_INTERVAL_SECONDS", default, 1, whole=True))
    return int(_number(env, f"{service}_TICK_SECONDS", shared, 1, whole=True))


def _services(raw: str) -> tuple[str, ...]:
    """SERVICES: a comma-separated subset of job, cluster, monitor (blank: none given)."""
    names = tuple(name.strip() for name in raw.split(",") if name.strip())
    unknown = [name for name in names if name not in SERVICE_NAMES]
    if unknown:
        raise SettingsError(f"SERVICES={raw!r}: unknown {unknown}; choose among {SERVICE_NAMES}")
    return tuple(name for name in SERVICE_NAMES if name in names)


def _number(
    env: Mapping[str, str], name: str, default: float, least: float, *, whole: bool = False
) -> float:
    """A number of at least `least` (whole if asked), naming the setting when it is not."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        value = least - 1
    if value < least:
        kind = "a whole number" if whole else "a number"
        raise SettingsError(f"{name}={raw!r} must be {kind}, at least {least:g}")
    return value


def _port(env: Mapping[str, str], name: str, default: int, *, least: int = 0) -> int:
    """Parse a port setting, naming it when it is not a port number (`least` to 65535)."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        port = int(raw)
    except ValueError:
        port = -1
    if not least <= port <= 65535:
        raise SettingsError(f"{name}={raw!r} is not a port number ({least}-65535)")
    return port
