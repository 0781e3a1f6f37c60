"""The tick: what time alone decides, and reconciliation for events that never came.

Each tick, in order: attempts past their deadline end (timeout; their steps are cancelled),
allocated jobs whose step was never recorded are started again (after `reconcile_after`, the
step is first looked for by name), running jobs whose step was not heard of for
`reconcile_after` are checked with DescribeStep, steps owed a cancel are cancelled, and free
slots of known clusters go to jobs that became eligible (a back-off ended, or nothing freed
the slot since). One job's failure is logged and does not stop the others. Last, once the board
is `checkpoint_every` notifications past the last checkpoint, it is stored as a new one
(checkpoint.py), so that cold starts read only the log after it; a failed write is logged only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from job_service.application.board_reader import BoardReader
from job_service.application.dispatching import Dispatching
from job_service.application.ports import (
    ClusterGone,
    StepNotFound,
    StepRunner,
    StepRunnerError,
    StepStatus,
)
from job_service.application.signals import STEP_ENDINGS, end_step
from job_service.application.store import JobStore, serialized
from job_service.domain import JobServiceError, JobStatus

logger = logging.getLogger(__name__)


@dataclass
class TickReport:
    """The jobs each part of one tick changed."""

    timed_out: list[UUID] = field(default_factory=list)
    restarted: list[UUID] = field(default_factory=list)
    reconciled: list[UUID] = field(default_factory=list)
    allocated: list[UUID] = field(default_factory=list)


class TickUseCases:
    def __init__(
        self,
        store: JobStore,
        board: BoardReader,
        dispatching: Dispatching,
        step_runner: StepRunner,
        *,
        reconcile_after: timedelta = timedelta(minutes=5),
    ) -> None:
        """`reconcile_after`: how long a running step may go unheard of before the tick asks
        EMR about it, and how long an allocated job may wait for its step before the tick
        starts it again."""
        self.store = store
        self.board = board
        self.dispatching = dispatching
        self.step_runner = step_runner
        self.reconcile_after = reconcile_after

    @serialized
    def tick(self, at: datetime) -> TickReport:
        board = self.board.current()
        before = at - self.reconcile_after
        report = TickReport(
            timed_out=_each(board.timed_out(at), lambda job_id: self._time_out(job_id, at)),
            restarted=_each(board.unstarted(before), lambda job_id: self._restart(job_id, at)),
            reconciled=_each(board.unheard(before), lambda job_id: self._reconcile(job_id, at)),
        )
        self.dispatching.cancel_steps()
        for cluster_id in board.dispatchable(at):
            report.allocated += self._dispatch_known(cluster_id, at)
        self.board.checkpoint_if_due(at)
        return report

    def _time_out(self, job_id: UUID, at: datetime) -> bool:
        job = self.store.job(job_id)
        if not job.check_timeout(at):
            return False
        self.store.commit(job)
        return True

    def _restart(self, job_id: UUID, at: datetime) -> bool:
        job = self.store.job(job_id)
        cluster = None if job.cluster_id is None else self.store.known_cluster(job.cluster_id)
        if job.status is not JobStatus.ALLOCATED or cluster is None:
            return False
        return self.dispatching.start(job_id, cluster, at, recover=True)

    def _reconcile(self, job_id: UUID, at: datetime) -> bool:
        """Ask EMR about a running job's step; apply its end if it ended."""
        job = self.store.job(job_id)
        if job.step_id is None or job.cluster_id is None:
            return False
        emr_cluster_id = self.dispatching.emr_cluster_id(job.cluster_id) or ""
        try:
            status = self.step_runner.describe_step(emr_cluster_id, job.step_id)
        except StepNotFound:
            status = StepStatus("INTERRUPTED", "EMR has no record of the step")
        except ClusterGone:
            job.cluster_lost(job.cluster_id, at)
            self.store.commit(job)
            return True
        self.board.current().heard(job_id, at)
        if status.state not in STEP_ENDINGS:
            return False
        if not end_step(job, job.step_id, status.state, status.message, at):
            return False
        self.store.commit(job)
        return True

    def _dispatch_known(self, cluster_id: str, at: datetime) -> list[UUID]:
        cluster = self.store.known_cluster(cluster_id)
        if cluster is None or not cluster.takes_jobs:
            return []
        try:
            allocated = self.dispatching.dispatch(cluster, at)
        except JobServiceError as error:
            logger.warning("tick could not dispatch onto %s: %s", cluster_id, error)
            return []
        self.dispatching.start_all(allocated, cluster, at)
        return allocated


def _each(job_ids: Iterable[UUID], change: Callable[[UUID], bool]) -> list[UUID]:
    """The jobs `change` changed; a job that fails is logged and skipped."""
    changed = []
    for job_id in job_ids:
        try:
            if change(job_id):
                changed.append(job_id)
        except (JobServiceError, StepRunnerError) as error:
            logger.warning("tick skipped job %s: %s", job_id, error)
    return changed
