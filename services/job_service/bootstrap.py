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

from backbone.heartbeat import Heartbeats, new_instance_id
from backbone.messaging.consumer import Consumer
from backbone.settings import ServiceSettings, common, count, seconds
from backbone.settings import SettingsError as SettingsError  # what from_env raises
from backbone.tick import HeartbeatTick
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
from job_service.application.tenants import TenantDirectory, TenantUseCases
from job_service.application.usage import TenantUsage

JOB: Final = "job-service"
"""The service's name in its heartbeats (and its events' source)."""


@dataclass(frozen=True)
class JobServiceSettings(ServiceSettings):
    """What one job service process needs to know about its surroundings (the table, emulator,
    region, store, tick interval and instance id of ServiceSettings, and the job service's own)."""

    reconcile_after_seconds: int = 300
    board_checkpoint_every: int = 5_000
    """Notifications between two dispatch-board checkpoints (the tick writes them)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> JobServiceSettings:
        """JOB_SERVICE_TABLE (or DYNAMODB_TABLE), AWS_ENDPOINT_URL, AWS_REGION (or
        AWS_DEFAULT_REGION), TICK_INTERVAL_SECONDS, RECONCILE_AFTER_SECONDS,
        BOARD_CHECKPOINT_EVERY, PERSISTENCE_MODULE, CREATE_TABLE (y/n), INSTANCE_ID (else
        AWS_LAMBDA_LOG_STREAM_NAME)."""
        shared = common(environ, "JOB_SERVICE_TABLE")
        if not shared["table_name"]:
            raise SettingsError("set JOB_SERVICE_TABLE to the job service's event-store table")
        return cls(
            **shared,
            reconcile_after_seconds=seconds(environ, "RECONCILE_AFTER_SECONDS", 300),
            board_checkpoint_every=count(
                environ, "BOARD_CHECKPOINT_EVERY", cls.board_checkpoint_every
            ),
        )


@dataclass(frozen=True)
class JobService(HeartbeatTick[TickReport]):
    """Everything one process of the job service uses."""

    settings: JobServiceSettings
    app: JobsApplication
    step_runner: StepRunner
    handlers: JobServiceHandlers
    consumer: Consumer
    translate: JobEventTranslator
    clock: Callable[[], datetime]
    heartbeats: Heartbeats


def bootstrap(
    settings: JobServiceSettings,
    *,
    step_runner: StepRunner | None = None,
    clock: Callable[[], datetime] | None = None,
) -> JobService:
    """The job service on `settings`; `step_runner` replaces EMR, `clock` the system clock.

    The store saves; the board reader keeps the dispatch board and its log observers (the
    profile cache, off until the API turns it on; the tenant directory; the tenants' usage)
    current with the store's log; each use case gets
    what it uses."""
    runner = step_runner or EmrStepRunner(emr_client(settings))
    store = JobStore(settings.store_env())
    profile_cache = ProfileCache()
    directory, usage = TenantDirectory(), TenantUsage()
    board = BoardReader(
        store.recorder,
        store.mapper,
        BoardCheckpoints(store.checkpoint_recorder()),
        checkpoint_every=settings.board_checkpoint_every,
        observers=[profile_cache, directory, usage],
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
        jobs=JobUseCases(store, board, profiles, dispatching, usage),
        profiles=ProfileUseCases(store, profiles),
        tenants=TenantUseCases(store, board, directory),
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
