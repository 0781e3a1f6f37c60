"""What every use case of the job service shares: storage, the dispatch board, the StepRunner.

The use cases are grouped by subject in mixins of `JobsCore` (jobs, profiles, dispatching,
signals, the tick); `JobsApplication` puts them together. Each use case gets aggregates, makes
its domain call, and saves once, with `_commit`, which also keeps the dispatch board current.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Concatenate, Final, ParamSpec, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Recording
from eventsourcing.utils import Environment, EnvType

from backbone.eventstore import AlreadyConsumed
from job_service.adapters.step_runner import StepRunner
from job_service.application.board import DispatchBoard
from job_service.application.checkpoint import PURPOSE, BoardCheckpoints
from job_service.application.clusters import KnownCluster
from job_service.application.errors import Conflict, JobNotFound, ProfileNotFound
from job_service.domain import Job, JobProfile, StepRef

logger = logging.getLogger(__name__)

LOG_PAGE: Final = 500
"""Notifications read per request when the board catches up with the log."""
CHUNK: Final = 40
"""Aggregates per save when one signal changes many (a DynamoDB transaction holds 49 events)."""
CHECKPOINT_EVERY: Final = 5_000
"""Notifications between two board checkpoints, unless BOARD_CHECKPOINT_EVERY says otherwise."""

P = ParamSpec("P")
R = TypeVar("R")
C = TypeVar("C", bound="JobsCore")


def serialized(method: Callable[Concatenate[C, P], R]) -> Callable[Concatenate[C, P], R]:
    """One use case at a time per process: they share the in-memory dispatch board."""

    def run(self: C, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self._lock:
            return method(self, *args, **kwargs)

    functools.update_wrapper(run, method)
    return run


class JobsCore(Application[UUID]):
    """Storage and the dispatch board; see the module docstring."""

    def __init__(
        self,
        env: EnvType | None = None,
        *,
        step_runner: StepRunner,
        reconcile_after: timedelta = timedelta(minutes=5),
        checkpoint_every: int = CHECKPOINT_EVERY,
    ) -> None:
        """`reconcile_after`: how long a running step may go unheard of before the tick asks
        EMR about it, and how long an allocated job may wait for its step before the tick
        starts it again. `checkpoint_every`: how far (in notifications) the board must get past
        the last checkpoint before the tick stores another."""
        super().__init__(env)
        self.step_runner = step_runner
        self.reconcile_after = reconcile_after
        self.checkpoint_every = checkpoint_every
        self.checkpoints = BoardCheckpoints(self.factory.aggregate_recorder(PURPOSE))
        self._checkpointed_at = 0
        """The position of the newest checkpoint this process knows of."""
        self._board: DispatchBoard | None = None
        self._lock = threading.RLock()
        self._cancel_tries: Counter[StepRef] = Counter()

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Only the settings given (never os.environ): bootstrap reads the environment."""
        return Environment(name, {**type(self).env, **(env or {})})

    # The dispatch board.

    def current_board(self) -> DispatchBoard:
        """The board, up to date with the log: built on first use from the newest checkpoint
        and the log after it (or the whole log, if there is no checkpoint to use)."""
        if self._board is None:
            self._board = self._build_board(from_checkpoint=True)
        else:
            self._read_log(self._board, live=True)
        return self._board

    def rebuild_board(self, *, from_checkpoint: bool = False) -> DispatchBoard:
        """Forget the board and build it again: from the whole log, unless `from_checkpoint`."""
        with self._lock:
            self._board = self._build_board(from_checkpoint=from_checkpoint)
            return self._board

    def _build_board(self, *, from_checkpoint: bool) -> DispatchBoard:
        board = (self._load_checkpoint() if from_checkpoint else None) or DispatchBoard()
        self._read_log(board, live=False)
        return board

    def _load_checkpoint(self) -> DispatchBoard | None:
        """The board of the newest checkpoint; None (logged) if there is none or it is unusable,
        since the whole log always gives the same board, only slower."""
        try:
            state = self.checkpoints.load()
            board = None if state is None else DispatchBoard.from_checkpoint(state)
        except Exception:  # any unreadable checkpoint: the log is the truth
            logger.exception("ignoring the board checkpoint: reading the whole log instead")
            return None
        if board is not None:
            self._checkpointed_at = max(self._checkpointed_at, board.position)
        return board

    def _checkpoint_if_due(self, at: datetime) -> None:
        """Store the board once it is `checkpoint_every` notifications past the last checkpoint.

        Only a board this process holds is written, settled at `at` first so that it does not
        carry the jobs that left the queues. A failure is logged and costs nothing but a slower
        cold start, so it never fails the caller."""
        board = self._board
        if board is None or board.position - self._checkpointed_at < self.checkpoint_every:
            return
        try:
            latest = self.checkpoints.latest_position() or 0
            if board.position - latest >= self.checkpoint_every:
                board.dispatcher.settle(at)
                self.checkpoints.save(board.checkpoint())
                latest = board.position
        except Exception:  # a checkpoint is an optimisation: never worth failing the tick for
            logger.exception("could not store a board checkpoint at %s", board.position)
            return
        self._checkpointed_at = max(self._checkpointed_at, latest)

    def _read_log(self, board: DispatchBoard, *, live: bool) -> None:
        while True:
            page = self.recorder.select_notifications(start=board.position + 1, limit=LOG_PAGE)
            for notification in page:
                board.apply(self.mapper.to_domain_event(notification), notification.id, live=live)
            if len(page) < LOG_PAGE:
                return

    # Saving.

    def _commit(self, *aggregates: Any, consumed: Sequence[str] = ()) -> None:
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
            self._apply(self._board, recordings)

    def _commit_in_chunks(self, aggregates: Sequence[Any], consumed: Sequence[str]) -> None:
        """Save many aggregates in several transactions; the markers go with the last one, so
        a crash halfway leaves the event to be redelivered and the rest to be done then."""
        chunks = [aggregates[i : i + CHUNK] for i in range(0, len(aggregates), CHUNK)] or [[]]
        for chunk in chunks[:-1]:
            self._commit(*chunk)
        self._commit(*chunks[-1], consumed=consumed)

    def _apply(self, board: DispatchBoard, recordings: Iterable[Recording[UUID]]) -> None:
        for recording in recordings:
            if recording.notification.id != board.position + 1:
                self._read_log(board, live=True)  # another process wrote in between
                return
            board.apply(recording.domain_event, recording.notification.id)

    # Getting aggregates.

    def _job(self, job_id: UUID | str) -> Job:
        """The job, of any tenant; JobNotFound if there is none (or the id is not a job's)."""
        try:
            job: object = self.repository.get(job_id if isinstance(job_id, UUID) else UUID(job_id))
        except (AggregateNotFoundError, ValueError):
            raise JobNotFound(job_id) from None
        if not isinstance(job, Job):
            raise JobNotFound(job_id)
        return job

    def _profile(self, name: str) -> JobProfile:
        try:
            profile: object = self.repository.get(JobProfile.id_for(name))
        except AggregateNotFoundError:
            raise ProfileNotFound(name) from None
        assert isinstance(profile, JobProfile)
        return profile

    def _known_cluster(self, cluster_id: str) -> KnownCluster | None:
        try:
            cluster: object = self.repository.get(KnownCluster.id_for(cluster_id))
        except AggregateNotFoundError:
            return None
        assert isinstance(cluster, KnownCluster)
        return cluster

    def _emr_cluster_id(self, cluster_id: str) -> str | None:
        info = None if self._board is None else self._board.clusters.get(cluster_id)
        if info is not None:
            return info.emr_cluster_id
        cluster = self._known_cluster(cluster_id)
        return None if cluster is None else cluster.emr_cluster_id
