"""Builds the cluster service for one process (one Lambda cold start, one local runner).

Nothing is built at import. `ClusterServiceSettings.from_env` is the only place that reads the
environment; `bootstrap(settings)` reads the stack template and builds the application on its
event store, the Provisioner (CloudFormation), the ClusterInspector (EMR), the ThresholdSource
(SSM, when a prefix is set), the consumer and the relay's translate function. Tests and the
local runtime pass their own adapters and clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import boto3
from botocore.config import Config

from backbone.heartbeat import Heartbeats, instance_id_from, new_instance_id
from backbone.messaging.consumer import Consumer
from cluster_service.adapters import (
    CloudFormationProvisioner,
    ClusterInspector,
    EmrInspector,
    Provisioner,
    SsmThresholds,
    ThresholdSource,
)
from cluster_service.application import (
    ClusterEventTranslator,
    ClustersApplication,
    ClusterServiceHandlers,
    TickReport,
    translator_for,
)
from cluster_service.domain.profiles import TEMPLATE_FILE

TEMPLATE_PATH = Path(__file__).resolve().parent / "templates" / TEMPLATE_FILE
_YES = ("y", "yes", "true", "1")


CLUSTER: Final = "cluster-service"
"""The service's name in its heartbeats (and its events' source)."""


class SettingsError(ValueError):
    """An environment variable of the cluster service is missing or unusable."""


@dataclass(frozen=True)
class ClusterServiceSettings:
    """What one cluster service process needs to know about its surroundings."""

    table_name: str = ""
    endpoint_url: str | None = None
    """An emulator's URL, for every AWS client; None on AWS."""
    region: str = "us-east-1"
    persistence_module: str = "backbone.eventstore"
    create_table: bool = False
    """Create the table if it is missing (local runs and tests only)."""
    tick_interval_seconds: int = 60
    reconcile_after_seconds: int = 300
    thresholds_ssm_prefix: str | None = None
    """Read pool limits from /<prefix>/<profile>/...; None: only the API changes them."""
    delete_orphans: bool = False
    template_path: str = str(TEMPLATE_PATH)
    seed_profiles: bool = False
    """Register small, medium and large at start-up when missing."""
    instance_id: str | None = None
    """Names this process in its heartbeats; None: a fresh id per process."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ClusterServiceSettings:
        """CLUSTER_SERVICE_TABLE (or DYNAMODB_TABLE), AWS_ENDPOINT_URL, AWS_REGION (or
        AWS_DEFAULT_REGION), PERSISTENCE_MODULE, CREATE_TABLE, TICK_INTERVAL_SECONDS,
        RECONCILE_AFTER_SECONDS, THRESHOLDS_SSM_PREFIX, DELETE_ORPHANS, CLUSTER_TEMPLATE_PATH,
        SEED_PROFILES (flags: y/n), INSTANCE_ID (else AWS_LAMBDA_LOG_STREAM_NAME)."""
        module = environ.get("PERSISTENCE_MODULE") or cls.persistence_module
        table = environ.get("CLUSTER_SERVICE_TABLE") or environ.get("DYNAMODB_TABLE") or ""
        if not table and module == cls.persistence_module:
            raise SettingsError("set CLUSTER_SERVICE_TABLE to the cluster service's table")
        return cls(
            table_name=table,
            endpoint_url=environ.get("AWS_ENDPOINT_URL") or None,
            region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or cls.region,
            persistence_module=module,
            create_table=_flag(environ, "CREATE_TABLE"),
            tick_interval_seconds=_seconds(environ, "TICK_INTERVAL_SECONDS", 60),
            reconcile_after_seconds=_seconds(environ, "RECONCILE_AFTER_SECONDS", 300),
            thresholds_ssm_prefix=environ.get("THRESHOLDS_SSM_PREFIX", "").strip("/") or None,
            delete_orphans=_flag(environ, "DELETE_ORPHANS"),
            template_path=environ.get("CLUSTER_TEMPLATE_PATH") or str(TEMPLATE_PATH),
            seed_profiles=_flag(environ, "SEED_PROFILES"),
            instance_id=instance_id_from(environ),
        )

    def store_env(self) -> dict[str, str]:
        """The eventsourcing settings of the application's event store."""
        env = {
            "PERSISTENCE_MODULE": self.persistence_module,
            "AWS_REGION": self.region,
            "CREATE_TABLE": "y" if self.create_table else "n",
        }
        env |= {"DYNAMODB_TABLE": self.table_name} if self.table_name else {}
        return env | ({"DYNAMODB_ENDPOINT_URL": self.endpoint_url} if self.endpoint_url else {})


def _flag(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "n").strip().lower() in _YES


def _seconds(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"{name}={raw!r} must be a whole number of seconds, at least 1")
    return int(raw)


@dataclass(frozen=True)
class ClusterService:
    """Everything one process of the cluster service uses."""

    settings: ClusterServiceSettings
    app: ClustersApplication
    provisioner: Provisioner
    inspector: ClusterInspector
    thresholds: ThresholdSource | None
    handlers: ClusterServiceHandlers
    consumer: Consumer
    translate: ClusterEventTranslator
    clock: Callable[[], datetime]
    heartbeats: Heartbeats

    def tick(self) -> TickReport:
        """The scheduled Tick, on this process's clock: this process's heartbeat first (the
        Tick's own failures never cost a beat), then the Tick's work."""
        now = self.clock()
        self.heartbeats.beat(self.app, now)
        return self.app.tick(now)


def bootstrap(
    settings: ClusterServiceSettings,
    *,
    provisioner: Provisioner | None = None,
    inspector: ClusterInspector | None = None,
    thresholds: ThresholdSource | None = None,
    clock: Callable[[], datetime] | None = None,
) -> ClusterService:
    """The cluster service on `settings`; the keyword arguments replace AWS and the clock."""
    provisioner = provisioner or CloudFormationProvisioner(aws_client("cloudformation", settings))
    inspector = inspector or EmrInspector(aws_client("emr", settings))
    if thresholds is None and settings.thresholds_ssm_prefix:
        thresholds = SsmThresholds(aws_client("ssm", settings), settings.thresholds_ssm_prefix)
    app = ClustersApplication(
        env=settings.store_env(),
        provisioner=provisioner,
        inspector=inspector,
        template=Path(settings.template_path).read_text(),
        thresholds=thresholds,
        reconcile_after=timedelta(seconds=settings.reconcile_after_seconds),
        delete_orphans=settings.delete_orphans,
    )
    now = clock or _utc_now
    if settings.seed_profiles:
        app.seed(now())
    handlers = ClusterServiceHandlers(app, now)
    return ClusterService(
        settings=settings,
        app=app,
        provisioner=provisioner,
        inspector=inspector,
        thresholds=thresholds,
        handlers=handlers,
        consumer=Consumer(handlers.by_detail_type()),
        translate=translator_for(app),
        clock=now,
        heartbeats=Heartbeats(CLUSTER, settings.instance_id or new_instance_id(CLUSTER)),
    )


def aws_client(service: str, settings: ClusterServiceSettings) -> Any:
    """A boto3 client for the settings' region (and emulator, if any), with standard retries."""
    return boto3.client(
        service,
        region_name=settings.region,
        endpoint_url=settings.endpoint_url,
        config=Config(retries={"max_attempts": 5, "mode": "standard"}),
    )


def _utc_now() -> datetime:
    return datetime.now(UTC)
