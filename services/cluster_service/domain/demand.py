"""Demand: per profile, the jobs waiting for a slot, and enough about the others to stay right
when the job service's events arrive duplicated, late or out of order.

An allocation is named by (cluster id, attempt), its key. The rules:
- a job is queued once, when first heard of by JobSubmitted (a job already allocated, requeued
  or finished is not queued again by a late JobSubmitted);
- a JobAllocated whose allocation already ended (requeued, rejected) or whose job is finished
  is stale and changes nothing;
- a JobRequeued about another allocation than the one the job holds is stale;
- finished jobs are remembered (the last DONE_MEMORY of them) so that nothing revives them.
Each job keeps one entry, so the record is as large as the jobs in flight.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final
from uuid import UUID

from eventsourcing.domain import Aggregate

from cluster_service.domain.moved import answer_to_old_topics
from cluster_service.domain.records import record_id

DONE_MEMORY: Final = 1000
"""Finished jobs remembered per profile: enough to absorb late events, small in a snapshot."""


def allocation_key(cluster_id: str, attempt: int) -> str:
    return f"{cluster_id}#{attempt}"


def cluster_of(key: str) -> str:
    return key.rpartition("#")[0]


def attempt_of(key: str) -> int:
    return int(key.rpartition("#")[2] or 0)


class Demand(Aggregate):
    """The jobs of one cluster profile; see the module docstring."""

    class Opened(Aggregate.Created):
        profile: str

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.queued: dict[str, str] = {}
        """Job → the key of its last ended allocation ("" if none): the jobs waiting."""
        self.holding: dict[str, str] = {}
        """Job → the key of the allocation it holds."""
        self.done: dict[str, None] = {}

    @staticmethod
    def id_for(profile: str) -> UUID:
        return record_id("demand", profile)

    @classmethod
    def open(cls, profile: str, at: datetime) -> Demand:
        return cls._create(cls.Opened, id=cls.id_for(profile), profile=profile, timestamp=at)

    @property
    def queued_jobs(self) -> int:
        return len(self.queued)

    def knows(self, job_id: str) -> bool:
        return job_id in self.queued or job_id in self.holding or job_id in self.done

    def is_stale(self, job_id: str, key: str) -> bool:
        """Whether a JobAllocated with this key comes too late to mean anything: the job is
        finished, this allocation ended already, or the job is past this attempt."""
        if job_id in self.done or self.queued.get(job_id) == key:
            return True
        latest = self.holding.get(job_id) or self.queued.get(job_id) or ""
        return attempt_of(latest) > attempt_of(key)

    def queue(self, job_id: str, at: datetime) -> None:
        if not self.knows(job_id):
            self.trigger_event(self.Queued, job_id=job_id, timestamp=at)

    def take(self, job_id: str, key: str, at: datetime) -> None:
        if self.holding.get(job_id) != key:
            self.trigger_event(self.Took, job_id=job_id, key=key, timestamp=at)

    def reject(
        self,
        job_id: str,
        tenant_id: str,
        cluster_id: str,
        attempt: int,
        reason: str,
        at: datetime,
    ) -> None:
        """Record the refusal (published as AllocationRejected); the job waits again."""
        self.trigger_event(
            self.Rejected,
            job_id=job_id,
            tenant_id=tenant_id,
            cluster_id=cluster_id,
            attempt=attempt,
            reason=reason,
            timestamp=at,
        )

    def requeue(self, job_id: str, key: str | None, at: datetime) -> bool:
        """The allocation `key` ended and the job waits again; False if that is stale news."""
        held = self.holding.get(job_id)
        if job_id in self.done or (held is not None and held != key):
            return False
        if held is None and self.queued.get(job_id, None) == (key or ""):
            return False
        self.trigger_event(self.Requeued, job_id=job_id, key=key or "", timestamp=at)
        return True

    def finish(self, job_id: str, at: datetime) -> None:
        if job_id not in self.done:
            self.trigger_event(self.Finished, job_id=job_id, timestamp=at)

    class Queued(Aggregate.Event):
        job_id: str

        def apply(self, demand: Demand) -> None:
            demand.queued[self.job_id] = ""

    class Took(Aggregate.Event):
        job_id: str
        key: str

        def apply(self, demand: Demand) -> None:
            demand.queued.pop(self.job_id, None)
            demand.holding[self.job_id] = self.key

    class Rejected(Aggregate.Event):
        job_id: str
        tenant_id: str
        cluster_id: str
        attempt: int
        reason: str

        def apply(self, demand: Demand) -> None:
            demand.holding.pop(self.job_id, None)
            demand.queued[self.job_id] = allocation_key(self.cluster_id, self.attempt)

    class Requeued(Aggregate.Event):
        job_id: str
        key: str

        def apply(self, demand: Demand) -> None:
            demand.holding.pop(self.job_id, None)
            demand.queued[self.job_id] = self.key

    class Finished(Aggregate.Event):
        job_id: str

        def apply(self, demand: Demand) -> None:
            demand.queued.pop(self.job_id, None)
            demand.holding.pop(self.job_id, None)
            demand.done[self.job_id] = None
            while len(demand.done) > DONE_MEMORY:
                del demand.done[next(iter(demand.done))]


answer_to_old_topics("cluster_service.application.demand", Demand)
