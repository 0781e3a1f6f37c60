"""Any sequence of commands and signals, duplicated or stale, keeps jobs legal (Invariants 2, 3).

The machine plays the application: it submits jobs, dispatches them to free slots of live
clusters, starts steps, and feeds back EMR and cluster signals for current and old attempts,
keeping the dispatch queue in step with the jobs as a use case would.
"""

from collections.abc import Callable
from datetime import timedelta
from functools import partial, reduce
from typing import Any
from uuid import UUID, uuid4

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from job_service.domain import (
    HOLDS_SLOT,
    TERMINAL,
    Dispatcher,
    IllegalTransition,
    Job,
    JobStatus,
    StaleSignal,
)
from tests.job_service.support import T0, terms

PROFILE = "spark-small"
PRIORITY = st.sampled_from(["critical", "high", "normal", "low"])
OUTCOME = st.sampled_from(["succeeded", "failed", "cancelled", "interrupted"])


class JobLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = T0
        self.dispatcher = Dispatcher()
        self.queue = self.dispatcher.queue(PROFILE)
        self.jobs: dict[UUID, Job] = {}
        self.events: dict[UUID, list[Any]] = {}
        self.seq: dict[UUID, int] = {}
        self.steps: list[tuple[UUID, str]] = []
        self.allocations: list[tuple[UUID, str, int]] = []
        self.clusters: dict[str, int] = {"c-a": 2, "c-b": 2}
        self.lost: list[str] = []
        self.ended: dict[UUID, JobStatus] = {}
        self.counter = 0

    def _next_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{self.counter}"

    def _act(self, job: Job, command: Callable[[], object], current: bool = True) -> None:
        """Run one command as a use case would; a refused one must change nothing, and a signal
        that is not about the job's `current` attempt must be refused."""
        was, version = job.status, job.version
        try:
            command()
        except (StaleSignal, IllegalTransition):
            assert (job.status, job.version) == (was, version)
            return
        assert current, f"a stale signal changed a {was} job"
        if job.status is JobStatus.QUEUED and was is not JobStatus.QUEUED:
            self._requeue(job)
        elif was is JobStatus.QUEUED and job.status is not JobStatus.QUEUED:
            self.queue.remove(job.id)

    def _requeue(self, job: Job) -> None:
        event = job.pending_events[-1]
        assert job.queued_at is not None
        if isinstance(event, Job.Requeued) and not event.counted:
            self.queue.requeue_at_head(job.id, job.priority, job.waits[-1].since)
        else:
            self.queue.enqueue(job.id, job.priority, job.queued_at, self.seq[job.id], job.retry_at)

    def _pick(
        self, data: st.DataObject, statuses: frozenset[JobStatus] | None = None
    ) -> Job | None:
        ids = [i for i, j in self.jobs.items() if statuses is None or j.status in statuses]
        return self.jobs[data.draw(st.sampled_from(ids))] if ids else None

    @precondition(lambda self: len(self.jobs) < 8)
    @rule(priority=PRIORITY, max_attempts=st.integers(1, 3), timeout=st.sampled_from([300, 3600]))
    def submit(self, priority: str, max_attempts: int, timeout: int) -> None:
        job = Job.submit(
            uuid4(),
            terms(priority=priority, max_attempts=max_attempts, timeout_seconds=timeout),
            self.now,
        )
        self.jobs[job.id], self.seq[job.id], self.events[job.id] = job, len(self.seq), []
        self._act(job, lambda: job.enqueue(self.now))

    @precondition(lambda self: len(self.clusters) < 3)
    @rule(slots=st.integers(1, 2))
    def cluster_ready(self, slots: int) -> None:
        self.clusters[self._next_id("c")] = slots

    @rule(start=st.booleans())
    def dispatch(self, start: bool) -> None:
        self._dispatch(start)

    def _dispatch(self, start: bool) -> None:
        """Give every free slot of a live cluster to the next eligible job (Tick, ClusterIdle)."""
        held = {(j.cluster_id, j.slot) for j in self.jobs.values() if j.status in HOLDS_SLOT}
        free = [(c, s) for c, n in self.clusters.items() for s in range(n) if (c, s) not in held]
        for job_id, cluster_id, slot in self.dispatcher.allocations(PROFILE, free, self.now):
            job = self.jobs[job_id]
            job.allocate(cluster_id, slot, self.now)  # the queue only gives eligible QUEUED jobs
            self.allocations.append((job_id, cluster_id, job.attempts))
            if start:
                self._start(job)

    def _start(self, job: Job) -> None:
        step_id = self._next_id("s")
        job.start(step_id, self.now)
        self.steps.append((job.id, step_id))

    @rule(data=st.data())
    def start(self, data: st.DataObject) -> None:
        if job := self._pick(data, frozenset({JobStatus.ALLOCATED})):
            self._start(job)

    @rule(data=st.data(), outcome=OUTCOME)
    def step_signal(self, data: st.DataObject, outcome: str) -> None:
        if job := self._pick(data, frozenset({JobStatus.RUNNING})):
            self._signal(job, job.step_id or "", outcome)

    @precondition(lambda self: self.steps)
    @rule(data=st.data(), outcome=OUTCOME)
    def late_or_duplicate_step_signal(self, data: st.DataObject, outcome: str) -> None:
        job_id, step_id = data.draw(st.sampled_from(self.steps))
        self._signal(self.jobs[job_id], step_id, outcome)

    def _signal(self, job: Job, step_id: str, outcome: str) -> None:
        current = job.status is JobStatus.RUNNING and job.step_id == step_id
        self._act(job, lambda: getattr(job, f"step_{outcome}")(step_id, self.now), current)

    @precondition(lambda self: self.clusters)
    @rule(data=st.data())
    def cluster_lost(self, data: st.DataObject) -> None:
        cluster_id = data.draw(st.sampled_from(sorted(self.clusters)))
        del self.clusters[cluster_id]
        self.lost.append(cluster_id)
        self.clusters[self._next_id("c")] = 2  # the pool replaces it
        for job in self.jobs.values():
            current = job.status in HOLDS_SLOT and job.cluster_id == cluster_id
            self._act(job, partial(job.cluster_lost, cluster_id, self.now), current)

    @precondition(lambda self: self.lost and self.jobs)
    @rule(data=st.data())
    def late_cluster_lost(self, data: st.DataObject) -> None:
        cluster_id = data.draw(st.sampled_from(self.lost))
        if job := self._pick(data):
            self._act(job, lambda: job.cluster_lost(cluster_id, self.now), current=False)

    @precondition(lambda self: self.allocations)
    @rule(data=st.data())
    def allocation_rejected(self, data: st.DataObject) -> None:
        job_id, cluster_id, attempt = data.draw(st.sampled_from(self.allocations))
        job = self.jobs[job_id]
        current = job.status in HOLDS_SLOT and (job.cluster_id, job.attempts) == (
            cluster_id,
            attempt,
        )
        self._act(job, lambda: job.reject_allocation(cluster_id, attempt, self.now), current)

    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        if job := self._pick(data):
            self._act(job, lambda: job.cancel(self.now))

    @rule(seconds=st.integers(1, 200))
    def time_passes(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)
        for job in self.jobs.values():
            self._act(job, partial(job.check_timeout, self.now))
        self._dispatch(start=True)

    @rule(data=st.data(), command=st.sampled_from(["enqueue", "allocate", "start"]))
    def command_out_of_turn(self, data: st.DataObject, command: str) -> None:
        required = {
            "enqueue": JobStatus.SUBMITTED,
            "allocate": JobStatus.QUEUED,
            "start": JobStatus.ALLOCATED,
        }
        if job := self._pick(data, frozenset(JobStatus) - {required[command]}):
            version = job.version
            calls = {
                "enqueue": lambda: job.enqueue(self.now),
                "allocate": lambda: job.allocate("c-x", 0, self.now),
                "start": lambda: job.start("s-x", self.now),
            }
            try:
                calls[command]()
                raise AssertionError(f"{command} was allowed on a {job.status} job")
            except IllegalTransition:
                assert job.version == version

    @invariant()
    def every_job_is_legal_and_terminal_states_are_final(self) -> None:
        for job_id, job in self.jobs.items():
            assert isinstance(job.status, JobStatus) and job.status is not JobStatus.SUBMITTED
            assert self.ended.get(job_id, job.status) == job.status
            if job.status in TERMINAL:
                self.ended[job_id] = job.status
                assert job.finished_at is not None
            assert 0 <= job.attempts <= job.max_attempts
            assert job.attempts >= 1 or job.status not in HOLDS_SLOT
            assert job.status is not JobStatus.FAILED or job.attempts == job.max_attempts

    @invariant()
    def attempts_count_every_allocation_but_refunded_ones(self) -> None:
        for job_id, job in self.jobs.items():
            self.events[job_id].extend(job.collect_events())
            ended, open_attempt = 0, False
            for event in self.events[job_id]:
                if isinstance(event, Job.Allocated):
                    open_attempt = True
                elif isinstance(event, Job.Failed | Job.Requeued):
                    ended += not isinstance(event, Job.Requeued) or event.counted
                    open_attempt = False
            assert job.attempts == ended + open_attempt

    @invariant()
    def no_slot_holds_two_jobs_and_no_job_holds_a_lost_cluster(self) -> None:
        held = [(j.cluster_id, j.slot) for j in self.jobs.values() if j.status in HOLDS_SLOT]
        assert len(held) == len(set(held))
        assert all(cluster_id in self.clusters for cluster_id, _ in held)

    @invariant()
    def the_queue_holds_exactly_the_queued_jobs(self) -> None:
        queued = {j.id for j in self.jobs.values() if j.status is JobStatus.QUEUED}
        assert len(self.queue) == len(queued) and all(job_id in self.queue for job_id in queued)

    @invariant()
    def replaying_each_jobs_events_gives_the_same_job(self) -> None:
        for job_id, job in self.jobs.items():
            self.events[job_id].extend(job.collect_events())
            assert reduce(lambda agg, event: event.mutate(agg), self.events[job_id], None) == job


JobLifecycle.TestCase.settings = settings(max_examples=100, stateful_step_count=40, deadline=None)
TestJobLifecycle = JobLifecycle.TestCase
