"""The services `make run` starts, and how one process builds the service it hosts.

A service process serves its Chalice app and runs its pollers and Tick on ONE instance of the
service: the app's `ApiHolder` builds it from the environment (as on a Lambda cold start), and
the pollers take `api.get().service`. A service whose `app.py` is not there yet is built with
its bootstrap alone and served without HTTP routes (the process says so in its log).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from backbone.messaging.definitions import (
    CLUSTER_SERVICE,
    JOB_SERVICE,
    MONITOR_SERVICE,
    ConsumerDefinition,
)

from .settings import LocalSettings, RunnerSettings

log = logging.getLogger(__name__)


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
    bootstrap: Callable[[Mapping[str, str]], Any]
    """Builds the service from the environment when there is no app to build it."""

    def table(self, settings: LocalSettings) -> str:
        """The service's event-store table."""
        tables = {"job": settings.job_table, "cluster": settings.cluster_table}
        return tables.get(self.name, settings.monitor_table)


def _job_service(environ: Mapping[str, str]) -> Any:
    from job_service.bootstrap import JobServiceSettings, bootstrap

    return bootstrap(JobServiceSettings.from_env(environ))


def _cluster_service(environ: Mapping[str, str]) -> Any:
    from cluster_service.bootstrap import ClusterServiceSettings, bootstrap

    return bootstrap(ClusterServiceSettings.from_env(environ))


def _monitor_service(environ: Mapping[str, str]) -> Any:
    from monitor_service.bootstrap import MonitorServiceSettings, bootstrap

    return bootstrap(MonitorServiceSettings.from_env(environ))


SPECS: tuple[ServiceSpec, ...] = (
    ServiceSpec("job", "job-service", "job_service.app", JOB_SERVICE,
                "JOB_SERVICE_TABLE", _job_service),
    ServiceSpec("cluster", "cluster-service", "cluster_service.app", CLUSTER_SERVICE,
                "CLUSTER_SERVICE_TABLE", _cluster_service),
    ServiceSpec("monitor", "monitor-service", "monitor_service.app", MONITOR_SERVICE,
                "MONITOR_SERVICE_TABLE", _monitor_service),
)  # fmt: skip


def spec_named(name: str) -> ServiceSpec:
    """The spec of `name`; LookupError naming the choices."""
    for spec in SPECS:
        if spec.name == name:
            return spec
    raise LookupError(f"no service {name!r}; choose among {[s.name for s in SPECS]}")


def service_environment(
    spec: ServiceSpec, endpoint_url: str, local: LocalSettings, runner: RunnerSettings,
    base: Mapping[str, str],
) -> dict[str, str]:  # fmt: skip
    """The environment of a service process: `base` with the emulator, dummy credentials (never
    real ones), the service's table and settings, and the demo's keys unless `base` sets them."""
    env = {k: v for k, v in base.items() if k not in ("AWS_PROFILE", "AWS_SESSION_TOKEN")}
    env.update(
        AWS_ENDPOINT_URL=endpoint_url, AWS_DEFAULT_REGION=local.region, AWS_REGION=local.region,
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
        TICK_INTERVAL_SECONDS=str(runner.tick_seconds(spec.name)),
        RECONCILE_AFTER_SECONDS=str(runner.reconcile_after_seconds),
        PYTHONUNBUFFERED="1",
    )  # fmt: skip
    env[spec.table_variable] = spec.table(local)
    env.setdefault("TENANT_API_KEYS", f"{runner.demo_tenant}={runner.demo_api_key}")
    env.setdefault("OPERATOR_API_KEYS", runner.operator_api_key)
    return env


@dataclass(frozen=True)
class Hosted:
    """What a service process runs: the service, and its Chalice app (None: not built yet)."""

    service: Any
    app: Any | None


def build(spec: ServiceSpec, environ: Mapping[str, str]) -> Hosted:
    """The service of `spec`, built once and shared by its app and its pollers."""
    try:
        module = importlib.import_module(spec.app_module)
    except ModuleNotFoundError as error:
        if error.name != spec.app_module:
            raise
        log.warning("%s has no REST API yet (%s): serving none", spec.namespace, spec.app_module)
        return Hosted(spec.bootstrap(environ), None)
    holder = getattr(module, "api", None)
    built = holder.get() if holder is not None and hasattr(holder, "get") else None
    service = getattr(built, "service", None)
    if service is None:
        log.warning("%s: %s has no ApiHolder `api`; its pollers use a service of their own",
                    spec.namespace, spec.app_module)  # fmt: skip
        service = spec.bootstrap(environ)
    return Hosted(service, getattr(module, "app", None))
