"""The services `make run` starts, and how one process builds the service it hosts.

A service process serves its Chalice app and runs its pollers and Tick on ONE instance of the
service: the app's `ApiHolder` builds it from the environment (as on a Lambda cold start), and
the pollers take `api.get().service`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from backbone.messaging.definitions import ConsumerDefinition
from cluster_service.subscriptions import DEFINITION as CLUSTER_SERVICE
from job_service.subscriptions import DEFINITION as JOB_SERVICE
from monitor_service.subscriptions import DEFINITION as MONITOR_SERVICE

from .settings import LocalSettings, RunnerSettings


@dataclass(frozen=True)
class ServiceSpec:
    """One service as the runner sees it."""

    name: str
    """job, cluster or monitor: the argument of `python -m local_runtime.service`."""
    namespace: str
    """The relay's namespace, part of every event id the service publishes."""
    app_module: str
    definition: ConsumerDefinition
    table_variable: str

    def table(self, settings: LocalSettings) -> str:
        """The service's event-store table."""
        tables = {"job": settings.job_table, "cluster": settings.cluster_table}
        return tables.get(self.name, settings.monitor_table)


SPECS: tuple[ServiceSpec, ...] = (
    ServiceSpec("job", "job-service", "job_service.app", JOB_SERVICE, "JOB_SERVICE_TABLE"),
    ServiceSpec(
        "cluster",
        "cluster-service",
        "cluster_service.app",
        CLUSTER_SERVICE,
        "CLUSTER_SERVICE_TABLE",
    ),
    ServiceSpec(
        "monitor",
        "monitor-service",
        "monitor_service.app",
        MONITOR_SERVICE,
        "MONITOR_SERVICE_TABLE",
    ),
)


DEFINITIONS: tuple[ConsumerDefinition, ...] = tuple(spec.definition for spec in SPECS)
"""What each service consumes, in the runner's order (job, cluster, monitor)."""


def spec_named(name: str) -> ServiceSpec:
    """The spec of `name`; LookupError naming the choices."""
    for spec in SPECS:
        if spec.name == name:
            return spec
    raise LookupError(f"no service {name!r}; choose among {[s.name for s in SPECS]}")


def service_environment(
    spec: ServiceSpec,
    endpoint_url: str,
    local: LocalSettings,
    runner: RunnerSettings,
    base: Mapping[str, str],
) -> dict[str, str]:
    """The environment of a service process: `base` with the emulator, dummy credentials (never
    real ones), the service's table and settings, and the demo's keys unless `base` sets them."""
    env = {k: v for k, v in base.items() if k not in ("AWS_PROFILE", "AWS_SESSION_TOKEN")}
    env.update(
        AWS_ENDPOINT_URL=endpoint_url,
        AWS_DEFAULT_REGION=local.region,
        AWS_REGION=local.region,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        TICK_INTERVAL_SECONDS=str(runner.tick_seconds(spec.name)),
        RECONCILE_AFTER_SECONDS=str(runner.reconcile_after_seconds),
        PYTHONUNBUFFERED="1",
    )
    env[spec.table_variable] = spec.table(local)
    env.setdefault("TENANT_API_KEYS", f"{runner.demo_tenant}={runner.demo_api_key}")
    env.setdefault("OPERATOR_API_KEYS", runner.operator_api_key)
    if spec.name == "monitor":
        env.setdefault("DEAD_LETTER_QUEUES", dead_letter_queues(DEFINITIONS))
    return env


def dead_letter_queues(definitions: Iterable[ConsumerDefinition]) -> str:
    """The monitor's DEAD_LETTER_QUEUES: each consumer's queue and its dead-letter queue, as
    the emulator has them (resources.py creates both from the same definitions)."""
    return ",".join(f"{d.queue_name}={d.dead_letter_queue_name}" for d in definitions)


@dataclass(frozen=True)
class Hosted:
    """What a service process runs: the service, and the Chalice app that serves it."""

    service: Any
    app: Any


def build(spec: ServiceSpec) -> Hosted:
    """The service of `spec`, built once (by its app's ApiHolder, from the process's environment)
    and shared by its app and its pollers."""
    module = importlib.import_module(spec.app_module)
    return Hosted(module.api.get().service, module.app)
