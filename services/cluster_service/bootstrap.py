"""Builds the cluster service for one process (one Lambda cold start, one local runner).

Nothing is built at import. `ClusterServiceSettings.from_env` is the only place that reads the
environment; `bootstrap(settings)` reads the stack template and builds the Provisioner
(CloudFormation), the ClusterInspector (EMR), the ThresholdSource (SSM, when a prefix is set),
the application on its event store with its use cases (`build_application`), the consumer and
the relay's translate function. Tests and the local runtime pass their own adapters and clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final
from uuid import UUID, uuid4

import boto3
from botocore.config import Config
from eventsourcing.utils import EnvType

from backbone.heartbeat import Heartbeats, new_instance_id
from backbone.messaging.consumer import Consumer
from backbone.settings import EVENT_STORE, ServiceSettings, common, flag, seconds
from backbone.settings import SettingsError as SettingsError  # what from_env raises
from backbone.tick import HeartbeatTick
from cluster_service.adapters import (
    CloudFormationProvisioner,
    ClusterInspector,
    EmrInspector,
    Provisioner,
    SsmThresholds,
    ThresholdSource,
)
from cluster_service.application import (
    AwsSignals,
    ClusterEventTranslator,
    ClusterQueries,
    ClustersApplication,
    ClusterServiceHandlers,
    ClusterStore,
    ClusterTick,
    JobEvents,
    PoolRunner,
    ProfilesAndPools,
    TickReport,
    translator_for,
)
from cluster_service.domain.profiles import TEMPLATE_FILE

TEMPLATE_PATH = Path(__file__).resolve().parent / "templates" / TEMPLATE_FILE


CLUSTER: Final = "cluster-service"
"""The service's name in its heartbeats (and its events' source)."""


@dataclass(frozen=True)
class ClusterServiceSettings(ServiceSettings):
    """What one cluster service process needs to know about its surroundings (the table,
    emulator, region, store, tick interval and instance id of ServiceSettings, and its own)."""

    reconcile_after_seconds: int = 300
    thresholds_ssm_prefix: str | None = None
    """Read pool limits from /<prefix>/<profile>/...; None: only the API changes them."""
    delete_orphans: bool = False
    template_path: str = str(TEMPLATE_PATH)
    seed_profiles: bool = False
    """Register small, medium and large at start-up when missing."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ClusterServiceSettings:
        """CLUSTER_SERVICE_TABLE (or DYNAMODB_TABLE), AWS_ENDPOINT_URL, AWS_REGION (or
        AWS_DEFAULT_REGION), PERSISTENCE_MODULE, CREATE_TABLE, TICK_INTERVAL_SECONDS,
        RECONCILE_AFTER_SECONDS, THRESHOLDS_SSM_PREFIX, DELETE_ORPHANS, CLUSTER_TEMPLATE_PATH,
        SEED_PROFILES (flags: y/n), INSTANCE_ID (else AWS_LAMBDA_LOG_STREAM_NAME)."""
        shared = common(environ, "CLUSTER_SERVICE_TABLE")
        if not shared["table_name"] and shared["persistence_module"] == EVENT_STORE:
            raise SettingsError("set CLUSTER_SERVICE_TABLE to the cluster service's table")
        return cls(
            **shared,
            reconcile_after_seconds=seconds(environ, "RECONCILE_AFTER_SECONDS", 300),
            thresholds_ssm_prefix=environ.get("THRESHOLDS_SSM_PREFIX", "").strip("/") or None,
            delete_orphans=flag(environ, "DELETE_ORPHANS"),
            template_path=environ.get("CLUSTER_TEMPLATE_PATH") or str(TEMPLATE_PATH),
            seed_profiles=flag(environ, "SEED_PROFILES"),
        )


@dataclass(frozen=True)
class ClusterService(HeartbeatTick[TickReport]):
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


def bootstrap(
    settings: ClusterServiceSettings,
    *,
    provisioner: Provisioner | None = None,
    inspector: ClusterInspector | None = None,
    thresholds: ThresholdSource | None = None,
    clock: Callable[[], datetime] | None = None,
    new_id: Callable[[], UUID] = uuid4,
) -> ClusterService:
    """The cluster service on `settings`; the keyword arguments replace AWS and the clock
    (`new_id` names new clusters: tests that compare two services give both the same names)."""
    provisioner = provisioner or CloudFormationProvisioner(aws_client("cloudformation", settings))
    inspector = inspector or EmrInspector(aws_client("emr", settings))
    if thresholds is None and settings.thresholds_ssm_prefix:
        thresholds = SsmThresholds(aws_client("ssm", settings), settings.thresholds_ssm_prefix)
    app = build_application(
        settings.store_env(),
        provisioner=provisioner,
        inspector=inspector,
        template=Path(settings.template_path).read_text(),
        thresholds=thresholds,
        new_id=new_id,
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
        translate=translator_for(app.store),
        clock=now,
        heartbeats=Heartbeats(CLUSTER, settings.instance_id or new_instance_id(CLUSTER)),
    )


def build_application(
    env: EnvType | None,
    *,
    provisioner: Provisioner,
    inspector: ClusterInspector,
    template: str,
    thresholds: ThresholdSource | None = None,
    new_id: Callable[[], UUID] = uuid4,
    reconcile_after: timedelta = timedelta(minutes=5),
    delete_orphans: bool = False,
) -> ClustersApplication:
    """The application on the store `env` describes: the store saves; the pool runner and each
    use case get what they use. `template` is the stack template's text; `thresholds`: pool
    limits kept outside the service (None: only the API changes them); `new_id` names new
    clusters; `reconcile_after`: how long a cluster may go unheard of before the tick asks AWS.
    bootstrap() uses it, and tests that want the application alone."""
    store = ClusterStore(env)
    runner = PoolRunner(store, provisioner, template, new_id)
    queries = ClusterQueries(store)
    profiles = ProfilesAndPools(store, runner, queries, thresholds)
    return ClustersApplication(
        store,
        runner,
        queries=queries,
        profiles=profiles,
        jobs=JobEvents(store, runner),
        signals=AwsSignals(store, runner, provisioner, inspector),
        ticks=ClusterTick(
            store,
            runner,
            profiles,
            provisioner,
            inspector,
            reconcile_after=reconcile_after,
            delete_orphans=delete_orphans,
        ),
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
