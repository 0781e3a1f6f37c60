"""A pool on virtual time: applies the policy's decisions, plays AWS, and runs jobs on slots."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

from cluster_service.domain.cluster import Cluster
from cluster_service.domain.lifecycle import LIVE, SERVING, TERMINAL, ClusterState, ClusterView
from cluster_service.domain.policy import Decision, StartCluster, decide
from cluster_service.domain.pool import Pool

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
S = ClusterState


def emr_id_of(cluster: Cluster) -> str:
    return f"j-{cluster.id.hex[:13].upper()}"


@dataclass
class FakeAws:
    """Moves each cluster one AWS step per tick, through the real state sequences."""

    failing_creates: int = 0
    """How many of the next stacks to be created fail (CREATE_FAILED, then ROLLBACK_COMPLETE)."""
    _deleting: set[UUID] = field(default_factory=set)

    pace: int = 1
    """Ticks each AWS transition takes."""
    _waited: Counter[UUID] = field(default_factory=Counter)

    def step(self, c: Cluster, at: datetime) -> None:
        self._waited[c.id] += 1
        if self._waited[c.id] < self.pace:
            return
        self._waited[c.id] = 0
        if c.state is S.REQUESTED:
            self._create(c, at)
        elif c.state is S.PROVISIONING:
            c.on_emr_state(emr_id_of(c), "STARTING", at)
        elif c.state is S.STARTING:
            c.on_emr_state(emr_id_of(c), "BOOTSTRAPPING", at)
        elif c.state is S.BOOTSTRAPPING:
            c.on_emr_state(emr_id_of(c), "WAITING", at)
            c.on_stack_status("CREATE_COMPLETE", at)
        elif c.state is S.DECOMMISSIONING and c.id not in self._deleting:
            self._deleting.add(c.id)
            c.on_stack_status("DELETE_IN_PROGRESS", at)
            c.on_emr_state(emr_id_of(c), "TERMINATING", at, "USER_REQUEST")
        elif c.state is S.DECOMMISSIONING:
            c.on_emr_state(emr_id_of(c), "TERMINATED", at, "USER_REQUEST")
            c.on_stack_status("DELETE_COMPLETE", at)
        elif c.stack_delete_pending:
            c.on_stack_status("DELETE_COMPLETE", at)

    def _create(self, c: Cluster, at: datetime) -> None:
        c.on_stack_status("CREATE_IN_PROGRESS", at)
        if self.failing_creates:
            self.failing_creates -= 1
            c.on_stack_status("CREATE_FAILED", at, "Instance type not available")
            c.on_stack_status("ROLLBACK_COMPLETE", at)


@dataclass
class World:
    """One profile's pool, its clusters, a FIFO of queued jobs and the jobs running on slots."""

    pool: Pool
    slots: int = 2
    job_duration: timedelta = timedelta(minutes=5)
    step: timedelta = timedelta(minutes=1)
    now: datetime = T0
    aws: FakeAws = field(default_factory=FakeAws)
    clusters: dict[UUID, Cluster] = field(default_factory=dict)
    queue: deque[str] = field(default_factory=deque)
    running: dict[str, tuple[UUID, datetime]] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    starts: Counter[str] = field(default_factory=Counter)
    decommissions: Counter[str] = field(default_factory=Counter)
    peak: int = 0
    _accounted_failures: set[UUID] = field(default_factory=set)
    _jobs_submitted: int = 0

    @classmethod
    def of(cls, minimum: int, maximum: int, ttl: int, slots: int = 2) -> World:
        return cls(Pool.create("small", minimum, maximum, ttl, "api", T0), slots=slots)

    # What the tests drive ----------------------------------------------------------------------

    def submit(self, jobs: int) -> None:
        for _ in range(jobs):
            self._jobs_submitted += 1
            self.queue.append(f"job-{self._jobs_submitted}")

    def tick(self, times: int = 1) -> None:
        """One step of virtual time: jobs finish, AWS moves, the policy decides, slots fill."""
        for _ in range(times):
            self._requeue_lost()
            self._finish_jobs()
            for c in list(self.clusters.values()):
                self.aws.step(c, self.now)
            self._requeue_lost()
            self._apply(self.decide())
            self._fill_slots()
            self._record_peak()
            self.now += self.step

    def run_until_drained(self) -> None:
        limit = 100 * self.aws.pace + 10 * (len(self.queue) + len(self.running))
        for _ in range(limit):
            if not self.queue and not self.running:
                return
            self.tick()
        raise AssertionError(f"queue not drained after {limit} ticks: {len(self.queue)} queued")

    # What the tests read -----------------------------------------------------------------------

    def views(self) -> list[ClusterView]:
        return [c.view() for c in self.clusters.values()]

    def decide(self) -> list[Decision]:
        queued = len(self.queue)
        return decide(self.pool, self.views(), queued, self.now, slots_per_cluster=self.slots)

    def count(self, states: frozenset[ClusterState]) -> int:
        return sum(c.state in states for c in self.clusters.values())

    @property
    def non_terminal(self) -> int:
        return sum(c.state not in TERMINAL for c in self.clusters.values())

    @property
    def live(self) -> int:
        return self.count(LIVE)

    @property
    def serving(self) -> int:
        return self.count(SERVING)

    # Inner workings ----------------------------------------------------------------------------

    def _apply(self, decisions: list[Decision]) -> None:
        for d in decisions:
            if isinstance(d, StartCluster):
                cid = UUID(int=len(self.clusters) + 1)
                self.clusters[cid] = Cluster.request(cid, "small", self.slots, d.reason, self.now)
                self.starts[d.reason] += 1
            else:
                self.clusters[d.cluster_id].decommission(d.reason, self.now)
                self.decommissions[d.reason] += 1
            self._record_peak()

    def _finish_jobs(self) -> None:
        for job, (cid, ends_at) in list(self.running.items()):
            if ends_at <= self.now:
                self.clusters[cid].release(job, self.now)
                del self.running[job]
                self.done.append(job)

    def _fill_slots(self) -> None:
        for c in self.clusters.values():
            if c.state not in SERVING:
                continue
            taken = set(c.jobs.values())
            for slot in (s for s in range(c.slots) if s not in taken):
                if not self.queue:
                    return
                job = self.queue.popleft()
                c.allocate(job, slot, self.now)
                self.running[job] = (c.id, self.now + self.job_duration)

    def _requeue_lost(self) -> None:
        """The job service's part on ClusterFailed: lost jobs go back to the head of the queue."""
        for c in self.clusters.values():
            if c.state is S.FAILED and c.id not in self._accounted_failures:
                self._accounted_failures.add(c.id)
                for job in reversed(c.lost_job_ids):
                    self.running.pop(job, None)
                    self.queue.appendleft(job)
                    self.lost.append(job)

    def _record_peak(self) -> None:
        self.peak = max(self.peak, self.non_terminal)
        assert self.non_terminal <= self.pool.maximum, "invariant 4: above MAXIMUM"
