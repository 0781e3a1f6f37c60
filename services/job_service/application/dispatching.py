"""Dispatching: free slots of a cluster to the next jobs of its profile, then their EMR steps;
and stopping the steps that must stop. The job, signal and tick use cases share it.

Allocation and start are two saves. The allocations of one round are one transaction (with the
consumed marker of the event that freed the slots, and a Dispatched event on the KnownCluster,
so that two rounds onto one cluster conflict instead of double-booking a slot). Each job's step
is then added through the StepRunner and recorded (Started) in a save of its own. A process that
dies between the two leaves the job ALLOCATED: the tick, after `reconcile_after`, looks for the
step by its name (which names the job and attempt) and records it, or adds it then.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from job_service.application.board_reader import BoardReader
from job_service.application.errors import Conflict
from job_service.application.ports import ClusterGone, StepNotFound, StepRunner, StepRunnerError
from job_service.application.profiles import ProfileLookup
from job_service.application.store import JobStore
from job_service.domain import Allocation, Job, JobStatus, KnownCluster, ProfileError, StepRef

logger = logging.getLogger(__name__)

MAX_STEP_NAME: Final = 256
CANCEL_TRIES: Final = 5
"""How often a step is asked to cancel before the service gives up on it."""


def step_name(job: Job) -> str:
    """The EMR step's name: the job's name, then its id and attempt (found again by it)."""
    suffix = f" [{job.id}#{job.attempts}]"
    return job.name[: MAX_STEP_NAME - len(suffix)] + suffix


class Dispatching:
    def __init__(
        self,
        store: JobStore,
        board: BoardReader,
        profiles: ProfileLookup,
        step_runner: StepRunner,
    ) -> None:
        self.store = store
        self.board = board
        self.profiles = profiles
        self.step_runner = step_runner
        self._cancel_tries: Counter[StepRef] = Counter()

    def dispatch_and_start(
        self, cluster: KnownCluster, at: datetime, limit: int | None, consumed: Sequence[str]
    ) -> list[UUID]:
        """Dispatch onto a cluster that takes jobs and start what it allocated; a closed
        cluster only saves the markers."""
        if not cluster.takes_jobs:
            self.store.commit(consumed=consumed)
            return []
        allocated = self.dispatch(cluster, at, limit=limit, consumed=consumed)
        self.start_all(allocated, cluster, at)
        return allocated

    def dispatch(
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
        board = self.board.current()
        free = board.free_slots(cluster.cluster_id, cluster.slots)[:limit]
        taken = board.take(cluster.cluster_profile, cluster.cluster_id, free, at)
        try:
            jobs = [self._allocate(allocation, at) for allocation in taken]
            if jobs:
                cluster.dispatched([job.id for job in jobs], at)
            self.store.commit(cluster, *jobs, consumed=consumed)
        except BaseException:
            board.restore(allocation.job_id for allocation in taken)
            raise
        return [job.id for job in jobs]

    def _allocate(self, allocation: Allocation, at: datetime) -> Job:
        job = self.store.job(allocation.job_id)
        job.allocate(allocation.cluster_id, allocation.slot, at)
        return job

    def start_all(self, job_ids: Sequence[UUID], cluster: KnownCluster, at: datetime) -> None:
        for job_id in job_ids:
            self.start(job_id, cluster, at)

    def start(
        self, job_id: UUID, cluster: KnownCluster, at: datetime, *, recover: bool = False
    ) -> bool:
        """Add an ALLOCATED job's step and record it; `recover` first looks for a step added
        by a process that died before recording it. False if the job did not start (yet)."""
        job = self.store.job(job_id)
        if job.status is not JobStatus.ALLOCATED:
            return False
        try:
            config = self._step_config(job)
        except ProfileError as error:
            job.cancel(at, f"its step cannot be rendered any more: {error}")
            self.store.commit(job)
            return False
        step_id = self._add_step(job, cluster, config, at, recover=recover)
        if step_id is None:
            return False
        job.start(step_id, at)
        try:
            self.store.commit(job)
        except Conflict:  # changed meanwhile (e.g. cancelled): the step must not run
            self.cancel_quietly(cluster.emr_cluster_id, step_id)
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
            self.store.commit(job, cluster)
        except StepRunnerError as error:  # the tick starts it again after reconcile_after
            logger.warning("could not add the step of job %s: %s", job.id, error)
        return None

    def _step_config(self, job: Job) -> dict[str, Any]:
        if job.step_args is not None:  # the step as accepted, whatever the profile is now
            step = {"Jar": "command-runner.jar", "Args": list(job.step_args)}
            return {"Name": step_name(job), "ActionOnFailure": "CONTINUE", "HadoopJarStep": step}
        profile = self.profiles.get(
            job.job_profile, deleted_too=True
        )  # accepted before jobs kept it
        config = profile.render_step(job.name, job.parameters)
        return {**config, "Name": step_name(job)}

    # Steps that must stop: of cancelled, timed-out or rejected attempts.

    def cancel_steps(self) -> None:
        """Ask EMR to cancel every step the board says is owed a cancel."""
        board = self.board.held
        if board is None:
            return
        for ref in sorted(board.steps_to_cancel):
            emr_cluster_id = self.emr_cluster_id(ref.cluster_id)
            done = emr_cluster_id is None or self.cancel_quietly(emr_cluster_id, ref.step_id)
            self._cancel_tries[ref] += 1
            if done or self._cancel_tries[ref] >= CANCEL_TRIES:
                board.steps_to_cancel.discard(ref)
                del self._cancel_tries[ref]

    def cancel_quietly(self, emr_cluster_id: str, step_id: str) -> bool:
        """Cancel a step; False (logged) if EMR could not be asked."""
        try:
            self.step_runner.cancel_step(emr_cluster_id, step_id)
        except (StepNotFound, ClusterGone):
            return True  # nothing left to cancel
        except StepRunnerError as error:
            logger.warning("could not cancel step %s on %s: %s", step_id, emr_cluster_id, error)
            return False
        return True

    def cancel_step_now(self, job: Job) -> None:
        """Cancel the step of a cancelled job now; if EMR cannot be reached, the process
        running the tick retries it (it reads the Cancelled event from the log)."""
        ref = job.step_to_cancel
        emr_cluster_id = None if ref is None else self.emr_cluster_id(ref.cluster_id)
        if ref is None or emr_cluster_id is None:
            return
        board = self.board.held
        if self.cancel_quietly(emr_cluster_id, ref.step_id) and board is not None:
            board.steps_to_cancel.discard(ref)

    def emr_cluster_id(self, cluster_id: str) -> str | None:
        """The EMR cluster id of one of our clusters: from the board if it has it, else stored."""
        board = self.board.held
        info = None if board is None else board.clusters.get(cluster_id)
        if info is not None:
            return info.emr_cluster_id
        cluster = self.store.known_cluster(cluster_id)
        return None if cluster is None else cluster.emr_cluster_id
