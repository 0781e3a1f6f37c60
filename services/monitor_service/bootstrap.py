"""Builds the monitor service for one process (one Lambda cold start, one local runner).

Nothing is built at import. `MonitorServiceSettings.from_env` is the only place that reads the
environment; `bootstrap(settings)` builds the application on its event store with its policy
(SLA targets, heartbeat timeouts, the price table) and its use cases (`build_application`), the
consumer and the relay's translate function. Tests and the local runtime pass their own clock
and instance id.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from eventsourcing.utils import EnvType

from backbone.heartbeat import Heartbeats
from backbone.messaging.consumer import Consumer
from backbone.settings import ServiceSettings, common, seconds
from backbone.settings import SettingsError as SettingsError  # what from_env raises
from backbone.tick import ScheduledTick
from monitor_service.adapters import load_price_book
from monitor_service.application import (
    MONITOR_SERVICE,
    AuditRecording,
    MonitorApplication,
    MonitorEventTranslator,
    MonitorQueries,
    MonitorServiceHandlers,
    MonitorStore,
    MonitorTick,
    TickReport,
    translator_for,
)
from monitor_service.application.exposition import samples_of
from monitor_service.application.ports import (
    DeadLetterQueues,
    DiscardMetrics,
    MetricsPublisher,
    NoDeadLetterQueues,
)
from monitor_service.domain import (
    DEFAULT_TARGETS,
    PRIORITIES,
    HeartbeatPolicy,
    MonitorPolicy,
    SlaTargets,
)

METRICS_OUTPUTS: Final = ("emf", "log", "none")


@dataclass(frozen=True)
class MonitorServiceSettings(ServiceSettings):
    """What one monitor service process needs to know about its surroundings (the table,
    emulator, region, store, tick interval and instance id of ServiceSettings, and its own)."""

    heartbeat_timeout_seconds: int | None = None
    """None: 3 x tick_interval_seconds."""
    sla_targets: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    price_table: str | None = None
    """A price table file; None: the packaged one."""
    metrics_output: str = "none"
    """Where each Tick publishes the figures: emf (stdout, for CloudWatch), log, or none."""
    metrics_namespace: str = "EmrControlPlane"
    dead_letter_queues: Mapping[str, str] = field(default_factory=dict)
    """The consumers' queues whose dead letters the monitor shows and redrives: queue name →
    its dead-letter queue's name."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> MonitorServiceSettings:
        """MONITOR_SERVICE_TABLE (or DYNAMODB_TABLE), AWS_ENDPOINT_URL, AWS_REGION (or
        AWS_DEFAULT_REGION), TICK_INTERVAL_SECONDS, HEARTBEAT_TIMEOUT_SECONDS, SLA_TARGETS
        (e.g. "critical=60,high=300,normal=1800,low=7200"), PRICE_TABLE, INSTANCE_ID (else
        AWS_LAMBDA_LOG_STREAM_NAME), PERSISTENCE_MODULE, CREATE_TABLE (y/n), METRICS_OUTPUT
        (emf, log or none; default emf in Lambda, else none), METRICS_NAMESPACE,
        DEAD_LETTER_QUEUES (e.g. "job-service-events=job-service-events-dlq,...")."""
        shared = common(environ, "MONITOR_SERVICE_TABLE")
        if not shared["table_name"]:
            raise SettingsError("set MONITOR_SERVICE_TABLE to the monitor's event-store table")
        return cls(
            **shared,
            heartbeat_timeout_seconds=seconds(environ, "HEARTBEAT_TIMEOUT_SECONDS", 0) or None,
            sla_targets=_targets(environ.get("SLA_TARGETS", "")),
            price_table=environ.get("PRICE_TABLE") or None,
            metrics_output=_metrics_output(environ),
            metrics_namespace=environ.get("METRICS_NAMESPACE") or "EmrControlPlane",
            dead_letter_queues=_queue_pairs(environ.get("DEAD_LETTER_QUEUES", "")),
        )

    def policy(self) -> MonitorPolicy:
        """SLA targets, heartbeat timeouts and the price table (read from its file)."""
        timeout = self.heartbeat_timeout_seconds or 3 * self.tick_interval_seconds
        return MonitorPolicy(
            sla=SlaTargets(dict(self.sla_targets)),
            heartbeats=HeartbeatPolicy(default_timeout_seconds=float(timeout)),
            prices=load_price_book(self.price_table),
        )


def _targets(raw: str) -> dict[str, float]:
    targets = dict(DEFAULT_TARGETS)
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, _, value = part.partition("=")
        try:
            seconds = float(value)
        except ValueError:
            seconds = 0.0
        if name.strip() not in PRIORITIES or not seconds > 0:
            raise SettingsError(f"SLA_TARGETS: {part!r} must be <priority>=<seconds above 0>")
        targets[name.strip()] = seconds
    return targets


def _queue_pairs(raw: str) -> dict[str, str]:
    pairs = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        queue, _, dead_letters = (side.strip() for side in part.partition("="))
        if not queue or not dead_letters:
            raise SettingsError(f"DEAD_LETTER_QUEUES: {part!r} must be <queue>=<dead-letter queue>")
        pairs[queue] = dead_letters
    return pairs


def _metrics_output(environ: Mapping[str, str]) -> str:
    default = "emf" if environ.get("AWS_LAMBDA_FUNCTION_NAME") else "none"
    output = (environ.get("METRICS_OUTPUT") or default).strip().lower()
    if output not in METRICS_OUTPUTS:
        raise SettingsError(
            f"METRICS_OUTPUT={output!r} must be one of {', '.join(METRICS_OUTPUTS)}"
        )
    return output


@dataclass(frozen=True)
class MonitorService(ScheduledTick[TickReport]):
    """Everything one process of the monitor service uses. Its Tick beats within the app's
    Tick (MonitorTick: after the health check, its sequence in the TickReport)."""

    settings: MonitorServiceSettings
    app: MonitorApplication
    handlers: MonitorServiceHandlers
    consumer: Consumer
    translate: MonitorEventTranslator
    clock: Callable[[], datetime]
    metrics: MetricsPublisher
    dead_letters: DeadLetterQueues = field(default_factory=NoDeadLetterQueues)
    """The consumers' dead-letter queues (operators list and redrive them through the API)."""

    def after(self, at: datetime, report: TickReport) -> None:
        """Once the Tick is done, the metrics of that moment are published (CloudWatch EMF on
        AWS)."""
        self.metrics.publish(samples_of(self.app.metrics(at)), at)


def bootstrap(
    settings: MonitorServiceSettings,
    *,
    clock: Callable[[], datetime] | None = None,
    policy: MonitorPolicy | None = None,
    metrics: MetricsPublisher | None = None,
    dead_letters: DeadLetterQueues | None = None,
) -> MonitorService:
    """The monitor service on `settings`; `clock` replaces the system clock, `policy` the one
    the settings describe, `metrics` the publisher METRICS_OUTPUT names, `dead_letters` the
    SQS queues DEAD_LETTER_QUEUES names."""
    app = build_application(
        settings.store_env(),
        policy=policy or settings.policy(),
        instance_id=settings.instance_id or f"monitor-{uuid.uuid4()}",
    )
    now = clock or _utc_now
    handlers = MonitorServiceHandlers(app, now)
    return MonitorService(
        settings=settings,
        app=app,
        handlers=handlers,
        consumer=Consumer(handlers.by_detail_type(), batch_handler=handlers.on_events),
        translate=translator_for(app.store),
        clock=now,
        metrics=metrics or metrics_publisher(settings),
        dead_letters=dead_letters or dead_letter_queues(settings),
    )


def build_application(
    env: EnvType | None, *, policy: MonitorPolicy | None = None, instance_id: str = "local"
) -> MonitorApplication:
    """The application on the store `env` describes: the store saves and keeps the board; each
    use case gets what it uses. `policy`: health timeouts, SLA targets and prices;
    `instance_id` names this process in the monitor's own heartbeats. bootstrap() uses it, and
    tests and benchmarks that want the application alone."""
    store = MonitorStore(env, policy=policy)
    return MonitorApplication(
        store,
        recording=AuditRecording(store),
        queries=MonitorQueries(store),
        ticks=MonitorTick(store, Heartbeats(MONITOR_SERVICE, instance_id)),
    )


def metrics_publisher(settings: MonitorServiceSettings) -> MetricsPublisher:
    """The publisher `settings.metrics_output` names (powertools is imported only for EMF)."""
    if settings.metrics_output == "none":
        return DiscardMetrics()
    from monitor_service.adapters.emf import EmfMetricsPublisher

    if settings.metrics_output == "log":
        return EmfMetricsPublisher(
            settings.metrics_namespace, write=logging.getLogger(__name__).info
        )
    return EmfMetricsPublisher(settings.metrics_namespace)


def dead_letter_queues(settings: MonitorServiceSettings) -> DeadLetterQueues:
    """SQS's dead-letter queues of the queues the settings name (boto3 only if there are any)."""
    if not settings.dead_letter_queues:
        return NoDeadLetterQueues()
    import boto3
    from botocore.config import Config

    from monitor_service.adapters.dead_letters import SqsDeadLetterQueues

    sqs = boto3.client(
        "sqs",
        region_name=settings.region,
        endpoint_url=settings.endpoint_url,
        config=Config(retries={"max_attempts": 5, "mode": "standard"}),
    )
    return SqsDeadLetterQueues(sqs, settings.dead_letter_queues)


def _utc_now() -> datetime:
    return datetime.now(UTC)
