"""Builds the job service for one process (one Lambda cold start, one local runner).

Nothing is built at import. `JobServiceSettings.from_env` is the only place that reads the
environment; `bootstrap(settings)` builds the application on its event store, the StepRunner,
the consumer and the relay's translate function. Tests and the local runtime pass their own
StepRunner (a fake, or one that cancels steps through moto's backend) and clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import boto3
from botocore.config import Config

from backbone.heartbeat import Heartbeats, instance_id_from, new_instance_id
from backbone.messaging.consumer import Consumer
from job_service.adapters import EmrStepRunner, StepRunner
from job_service.application import (
    BoardReader,
    Dispatching,
    JobEventTranslator,
    JobQueries,
    JobsApplication,
    JobServiceHandlers,
    JobStore,
    JobUseCases,
    PoolSignalUseCases,
    ProfileCache,
    ProfileLookup,
    ProfileUseCases,
    SignalUseCases,
    TickReport,
    TickUseCases,
    translator_for,
)
from job_service.application.checkpoint import BoardCheckpoints

JOB: Final = "job-service"
"""The service's name in its heartbeats (and its events' source)."""


class SettingsError(ValueError):
    """An environment variable of the job service is missing or unusable."""


@dataclass(frozen=True)
class JobServiceSettings:
    """What one job service process needs to know about its surroundings."""

    table_name: str
    endpoint_url: str | None = None
    """An emulator's URL, for DynamoDB and EMR alike; None on AWS."""
    region: str = "us-east-1"
    tick_interval_seconds: int = 60
    reconcile_after_seconds: int = 300
    board_checkpoint_every: int = 5_000
    """Notifications between two dispatch-board checkpoints (the tick writes them)."""
    persistence_module: str = "backbone.eventstore"
    create_table: bool = False
    """Create the table if it is missing (local runs and tests only)."""
    instance_id: str | None = None
    """Names this process in its heartbeats; None: a fresh id per process."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> JobServiceSettings:
        """JOB_SERVICE_TABLE (or DYNAMODB_TABLE), AWS_ENDPOINT_URL, AWS_REGION (or
        AWS_DEFAULT_REGION), TICK_INTERVAL_SECONDS, RECONCILE_AFTER_SECONDS,
        BOARD_CHECKPOINT_EVERY, PERSISTENCE_MODULE, CREATE_TABLE (y/n), INSTANCE_ID (else
        AWS_LAMBDA_LOG_STREAM_NAME)."""
        table = environ.get("JOB_SERVICE_TABLE") or environ.get("DYNAMODB_TABLE")
        if not table:
            raise SettingsError("set JOB_SERVICE_TABLE to the job service's event-store table")
        defaults = cls(table)
        return cls(
            table_name=table,
            endpoint_url=environ.get("AWS_ENDPOINT_URL") or None,
            region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "us-east-1",
            tick_interval_seconds=_seconds(environ, "TICK_INTERVAL_SECONDS", 60),
            reconcile_after_seconds=_seconds(environ, "RECONCILE_AFTER_SECONDS", 300),
            board_checkpoint_every=_count(
                environ, "BOARD_CHECKPOINT_EVERY", defaults.board_checkpoint_every
            ),
            persistence_module=environ.get("PERSISTENCE_MODULE") or defaults.persistence_module,
            create_table=environ.get("CREATE_TABLE", "n").lower() in ("y", "yes", "true", "1"),
            instance_id=instance_id_from(environ),
        )

    def store_env(self) -> dict[str, str]:
        """The eventsourcing settings of the application's event store."""
        env = {
            "PERSISTENCE_MODULE": self.persistence_module,
            "DYNAMODB_TABLE": self.table_name,
            "AWS_REGION": self.region,
            "CREATE_TABLE": "y" if self.create_table else "n",
        }
        return env | ({"DYNAMODB_ENDPOINT_URL": self.endpoint_url} if self.endpoint_url else {})


def _seconds(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"{name}={raw!r} must be a whole number of seconds, at least 1")
    return int(raw)


def _count(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"{name}={raw!r} must be a whole number, at least 1")
    return int(raw)


@dataclass(frozen=True)
class JobService:
    """Everything one process of the job service uses."""

    settings: JobServiceSettings
    app: JobsApplication
    step_runner: StepRunner
    handlers: JobServiceHandlers
    consumer: Consumer
    translate: JobEventTranslator
    clock: Callable[[], datetime]
    heartbeats: Heartbeats

    def tick(self) -> TickReport:
        """The scheduled Tick, on this process's clock: this process's heartbeat first (the
        Tick's own failures never cost a beat), then the Tick's work."""
        now = self.clock()
        self.heartbeats.beat(self.app.store, now)
        return self.app.tick(now)


def bootstrap(
    settings: JobServiceSettings,
    *,
    step_runner: StepRunner | None = None,
    clock: Callable[[], datetime] | None = None,
) -> JobService:
    """The job service on `settings`; `step_runner` replaces EMR, `clock` the system clock.

    The store saves; the board reader keeps the dispatch board (and the profile cache, a log
    observer, off until the API turns it on) current with the store's log; each use case gets
    what it uses."""
    runner = step_runner or EmrStepRunner(emr_client(settings))
    store = JobStore(settings.store_env())
    profile_cache = ProfileCache()
    board = BoardReader(
        store.recorder,
        store.mapper,
        BoardCheckpoints(store.checkpoint_recorder()),
        checkpoint_every=settings.board_checkpoint_every,
        observers=[profile_cache],
    )
    store.keep_current(board)
    profiles = ProfileLookup(store, profile_cache)
    dispatching = Dispatching(store, board, profiles, runner)
    signals = SignalUseCases(store, board, dispatching)
    pool_signals = PoolSignalUseCases(store, board)
    reconcile_after = timedelta(seconds=settings.reconcile_after_seconds)
    app = JobsApplication(
        store,
        board,
        profile_cache,
        jobs=JobUseCases(store, board, profiles, dispatching),
        profiles=ProfileUseCases(store, profiles),
        queries=JobQueries(store, board),
        signals=signals,
        pool_signals=pool_signals,
        ticks=TickUseCases(store, board, dispatching, runner, reconcile_after=reconcile_after),
    )
    now = clock or _utc_now
    handlers = JobServiceHandlers(signals, pool_signals, now)
    return JobService(
        settings=settings,
        app=app,
        step_runner=runner,
        handlers=handlers,
        consumer=Consumer(handlers.by_detail_type()),
        translate=translator_for(store),
        clock=now,
        heartbeats=Heartbeats(JOB, settings.instance_id or new_instance_id(JOB)),
    )


def emr_client(settings: JobServiceSettings) -> Any:
    """A boto3 EMR client for the settings' region (and emulator, if any)."""
    return boto3.client(
        "emr",
        region_name=settings.region,
        endpoint_url=settings.endpoint_url,
        config=Config(retries={"max_attempts": 5, "mode": "standard"}),
    )


def _utc_now() -> datetime:
    return datetime.now(UTC)
