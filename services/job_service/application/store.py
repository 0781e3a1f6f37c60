"""JobStore: the job service's eventsourcing Application, its storage and its one way to save.

Every use case gets aggregates from here, makes its domain call, and saves once with `commit`
(or `commit_in_chunks`), which also brings the dispatch board up to date with what it saved.
It holds Job, JobProfile, ProfileIndex, KnownCluster, ClusterRequest and PoolLimits aggregates
(and the heartbeats' Beacon) in one event store.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from typing import Any, Concatenate, Final, ParamSpec, Protocol, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import AggregateRecorder, IntegrityError
from eventsourcing.utils import Environment, EnvType

from backbone.eventstore import AlreadyConsumed
from backbone.saving import DirectSave
from job_service.application.board_reader import BoardReader
from job_service.application.checkpoint import PURPOSE
from job_service.application.errors import Conflict, JobNotFound
from job_service.domain import Job, KnownCluster

CHUNK: Final = 40
"""Aggregates per save when one signal changes many (a DynamoDB transaction holds 49 events)."""


class JobStore(DirectSave):
    """See the module docstring. Bootstrap builds it, then the board reader on its log, and
    gives it that reader with `keep_current`."""

    name = "JobService"

    def __init__(self, env: EnvType | None = None) -> None:
        super().__init__(env)
        self.lock = threading.RLock()
        """One use case at a time per process: they share the in-memory dispatch board."""
        self._board: BoardReader | None = None

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Only the settings given (never os.environ): bootstrap reads the environment."""
        return Environment(name, {**type(self).env, **(env or {})})

    def checkpoint_recorder(self) -> AggregateRecorder:
        """Where the board's checkpoints are stored (never notifications: see checkpoint.py)."""
        return self.factory.aggregate_recorder(PURPOSE)

    def keep_current(self, board: BoardReader) -> None:
        """From now on, every commit applies what it saved to `board` (once, by bootstrap)."""
        self._board = board

    # Saving.

    def commit(self, *aggregates: Any, consumed: Sequence[str] = ()) -> None:
        """Save once (with the consumed markers, if any) and bring the board up to date.

        AlreadyConsumed passes through (the consumer counts it as success); another
        IntegrityError means a concurrent writer won: Conflict, retry the request."""
        kwargs = {"consumed": list(consumed)} if consumed else {}
        try:
            recordings = self.save(*aggregates, **kwargs)
        except AlreadyConsumed:
            raise
        except IntegrityError as error:
            raise Conflict(str(error)) from error
        if self._board is not None:
            self._board.saved(recordings)

    def commit_in_chunks(self, aggregates: Sequence[Any], consumed: Sequence[str]) -> None:
        """Save many aggregates in several transactions; the markers go with the last one, so
        a crash halfway leaves the event to be redelivered and the rest to be done then."""
        chunks = [aggregates[i : i + CHUNK] for i in range(0, len(aggregates), CHUNK)] or [[]]
        for chunk in chunks[:-1]:
            self.commit(*chunk)
        self.commit(*chunks[-1], consumed=consumed)

    # Getting aggregates.

    def find(self, aggregate_id: UUID) -> Any | None:
        """The aggregate with this id, or None if there is none."""
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def job(self, job_id: UUID | str) -> Job:
        """The job, of any tenant; JobNotFound if there is none (or the id is not a job's)."""
        try:
            job: object = self.repository.get(job_id if isinstance(job_id, UUID) else UUID(job_id))
        except (AggregateNotFoundError, ValueError):
            raise JobNotFound(job_id) from None
        if not isinstance(job, Job):
            raise JobNotFound(job_id)
        return job

    def tenants_job(self, tenant_id: str, job_id: UUID | str) -> Job:
        """The job if it is the tenant's; JobNotFound for another tenant's job."""
        job = self.job(job_id)
        if job.tenant_id != tenant_id:
            raise JobNotFound(job_id)
        return job

    def known_cluster(self, cluster_id: str) -> KnownCluster | None:
        cluster = self.find(KnownCluster.id_for(cluster_id))
        assert cluster is None or isinstance(cluster, KnownCluster)
        return cluster


class UsesStore(Protocol):
    @property
    def store(self) -> JobStore: ...


P = ParamSpec("P")
R = TypeVar("R")
U = TypeVar("U", bound=UsesStore)


def serialized(method: Callable[Concatenate[U, P], R]) -> Callable[Concatenate[U, P], R]:
    """Run the use case holding the store's lock: use cases share the in-memory board."""

    def run(self: U, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.store.lock:
            return method(self, *args, **kwargs)

    functools.update_wrapper(run, method)
    return run
