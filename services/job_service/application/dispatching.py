"""Dispatching: free slots of a cluster to the next jobs of its profile, then their EMR steps.

Allocation and start are two saves. The allocations of one round are one transaction (with the
consumed marker of the event that freed the slots, and a Dispatched event on the KnownCluster,
so that two rounds onto one cluster conflict instead of double-booking a slot). Each job's step
is then added through the StepRunner and recorded (Started) in a save of its own. A process that
dies between the two leaves the job ALLOCATED: the tick, after `reconcile_after`, looks for the
step by its name (which names the job and attempt) and records it, or adds it then.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from job_service.adapters.step_runner import (
    ClusterGone,
    StepNotFound,
    StepRunnerError,
)
from job_service.application.base import JobsCore, logger
from job_service.application.clusters import KnownCluster
from job_service.application.errors import Conflict
from job_service.domain import Allocation, Job, JobStatus, ProfileError

MAX_STEP_NAME: Final = 256
CANCEL_TRIES: Final = 5
"""How often a step is asked to cancel before the service gives up on it."""


def step_name(job: Job) -> str:
    """The EMR step's name: the job's name, then its id and attempt (found again by it)."""
    suffix = f" [{job.id}#{job.attempts}]"
    return job.name[: MAX_STEP_NAME - len(suffix)] + suffix


class DispatchUseCases(JobsCore):
    def _dispatch(
        self,
        cluster: KnownCluster,
        at: datetime,
        *,
        limit: int | None = None,
        consumed: Sequence[str] = (),
    ) -> list[UUID]:
        """Allocate up to `limit` free slots of a cluster taking jobs; one save.

        The caller loads `cluster` before this reads the log, so a round another process saved
        in between is either in the log read here or makes this save conflict."""
        board = self.current_board()
        free = board.free_slots(cluster.cluster_id, cluster.slots)[:limit]
        taken = board.take(cluster.cluster_profile, cluster.cluster_id, free, at)
        try:
            jobs = [self._allocate(allocation, at) for allocation in taken]
            if jobs:
                cluster.dispatched([job.id for job in jobs], at)
            self._commit(cluster, *jobs, consumed=consumed)
        except BaseException:
            board.restore(allocation.job_id for allocation in taken)
            raise
        return [job.id for job in jobs]

    def _allocate(self, allocation: Allocation, at: datetime) -> Job:
        job = self._job(allocation.job_id)
        job.allocate(allocation.cluster_id, allocation.slot, at)
        return job

    def _start_all(self, job_ids: Sequence[UUID], cluster: KnownCluster, at: datetime) -> None:
        for job_id in job_ids:
            self._start(job_id, cluster, at)

    def _start(
        self, job_id: UUID, cluster: KnownCluster, at: datetime, *, recover: bool = False
    ) -> bool:
        """Add an ALLOCATED job's step and record it; `recover` first looks for a step added
        by a process that died before recording it. False if the job did not start (yet)."""
        job = self._job(job_id)
        if job.status is not JobStatus.ALLOCATED:
            return False
        try:
            config = self._step_config(job)
        except ProfileError as error:
            job.cancel(at, f"its step cannot be rendered any more: {error}")
            self._commit(job)
            return False
        step_id = self._add_step(job, cluster, config, at, recover=recover)
        if step_id is None:
            return False
        job.start(step_id, at)
        try:
            self._commit(job)
        except Conflict:  # changed meanwhile (e.g. cancelled): the step must not run
            self._cancel_quietly(cluster.emr_cluster_id, step_id)
            return False
        return True

    def _add_step(
        self,
        job: Job,
        cluster: KnownCluster,
        config: dict[str, Any],
        at: datetime,
        *,
        recover: bool,
    ) -> str | None:
        emr_cluster_id = cluster.emr_cluster_id
        try:
            found = self.step_runner.find_step(emr_cluster_id, config["Name"]) if recover else None
            return found or self.step_runner.add_step(emr_cluster_id, config)
        except ClusterGone as error:
            job.cluster_lost(cluster.cluster_id, at)
            cluster.close(f"EMR refused a step: {error}", at)
            self._commit(job, cluster)
        except StepRunnerError as error:  # the tick starts it again after reconcile_after
            logger.warning("could not add the step of job %s: %s", job.id, error)
        return None

    def _step_config(self, job: Job) -> dict[str, Any]:
        config = self._profile(job.job_profile).render_step(job.name, job.parameters)
        return {**config, "Name": step_name(job)}

    # Steps that must stop: of cancelled, timed-out or rejected attempts.

    def _cancel_steps(self) -> None:
        """Ask EMR to cancel every step the board says is owed a cancel."""
        board = self._board
        if board is None:
            return
        for ref in sorted(board.steps_to_cancel):
            emr_cluster_id = self._emr_cluster_id(ref.cluster_id)
            done = emr_cluster_id is None or self._cancel_quietly(emr_cluster_id, ref.step_id)
            self._cancel_tries[ref] += 1
            if done or self._cancel_tries[ref] >= CANCEL_TRIES:
                board.steps_to_cancel.discard(ref)
                del self._cancel_tries[ref]

    def _cancel_quietly(self, emr_cluster_id: str, step_id: str) -> bool:
        """Cancel a step; False (logged) if EMR could not be asked."""
        try:
            self.step_runner.cancel_step(emr_cluster_id, step_id)
        except (StepNotFound, ClusterGone):
            return True  # nothing left to cancel
        except StepRunnerError as error:
            logger.warning("could not cancel step %s on %s: %s", step_id, emr_cluster_id, error)
            return False
        return True
