"""Invariant 8 on the real cluster service: redelivered, reordered news ends in the state of once.

The cluster service as bootstrap builds it (in-memory store, its consumer, a FakeProvisioner
counting every CreateStack and DeleteStack), fed rounds of what the job service, EMR and
CloudFormation would tell it about the state of the round's start (JobSubmitted, JobAllocated,
JobSucceeded, JobFailed, JobRequeued, JobCancelled, ClusterUnhealthy, EMR cluster state changes,
CloudFormation stack status changes), delivered as tests/redelivery.py describes. After every
round both services' pools, clusters (with their slots' jobs), published events and the stacks
they asked for agree: a duplicate never creates or deletes a stack twice.

What may race: news of different jobs, of different slots, and of different clusters. News about
one cluster's life (its stack, its EMR cluster, its health) and news about one slot are caused
one by the other, so at most one of each is in flight in a round. New clusters are named in the
order they are asked for, and whether a lost one is replaced depends on the queue when it is
heard, so of the news that may make the service ask for one (a submission, a requeue or cancel
of a queued job, a cluster's life going on) one per round is in flight: two racing would name their
clusters either way round. Allocations and a job's end race with them and each other.
"""

from __future__ import annotations

import itertools
import json
import random
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cluster_service.adapters import FakeProvisioner, FakeThresholds
from cluster_service.bootstrap import ClusterService, ClusterServiceSettings, bootstrap
from events.schemas import (
    ClusterUnhealthy,
    IntegrationEvent,
    JobAllocated,
    JobCancelled,
    JobFailed,
    JobRequeued,
    JobSubmitted,
    JobSucceeded,
    derived_event_id,
    to_envelope,
)
from events.schemas.aws import CLOUDFORMATION_SOURCE, EMR_SOURCE
from tests.redelivery import PROPERTY_SETTINGS, compare_rounds

T0 = datetime(2026, 2, 2, 8, 0, tzinfo=UTC)
ROUND_S = 61
POOLS = ("small", "medium")
THRESHOLDS = {"small": (1, 3, 300), "medium": (0, 2, 300), "large": (0, 1, 300)}
Event = IntegrationEvent | dict[str, Any]
News = tuple[frozenset[str], Callable[[], Event]]
"""What a piece of news concerns (jobs, slots, clusters) and how to make its event."""

PROVISIONING = frozenset({"provisioning"})
"""What news that may make the service ask for a new cluster concerns (see the docstring)."""
NEXT_IN_LIFE = {
    ("CREATE_IN_PROGRESS", "STARTING"): [("emr", "BOOTSTRAPPING")],
    ("CREATE_IN_PROGRESS", "BOOTSTRAPPING"): [("emr", "WAITING")],
    ("CREATE_IN_PROGRESS", "WAITING"): [("stack", "CREATE_COMPLETE")],
    ("CREATE_COMPLETE", "WAITING"): [("emr", "TERMINATED_WITH_ERRORS")],
    ("CREATE_COMPLETE", "RUNNING"): [("emr", "TERMINATED_WITH_ERRORS")],
    ("DELETE_IN_PROGRESS", "TERMINATING"): [("emr", "TERMINATED")],
    ("DELETE_IN_PROGRESS", "TERMINATED"): [("stack", "DELETE_COMPLETE")],
    ("DELETE_IN_PROGRESS", "TERMINATED_WITH_ERRORS"): [("stack", "DELETE_COMPLETE")],
}
"""What AWS says next about a stack in (stack status, EMR state): its next step, or a failure."""


class Service:
    """One cluster service process; its cluster ids count up, as the other one's do."""

    def __init__(self) -> None:
        self.now = T0
        self.cloud = FakeProvisioner()
        ids = itertools.count(1)
        self.service: ClusterService = bootstrap(
            ClusterServiceSettings(persistence_module="backbone.eventstore.memory"),
            provisioner=self.cloud,
            inspector=self.cloud.inspector,
            thresholds=FakeThresholds(),
            clock=lambda: self.now,
            new_id=lambda: uuid.UUID(int=next(ids) << 100),  # stack names keep 12 digits
        )
        self.app = self.service.app
        self.app.seed(T0, THRESHOLDS)

    def deliver(self, event: Event) -> None:
        envelope = event if isinstance(event, dict) else to_envelope(event, envelope_id=_id())
        outcome = self.service.consumer.handle_message_body(json.dumps(envelope))
        assert outcome.value in ("handled", "duplicate")

    def tick(self) -> None:
        self.now += timedelta(seconds=ROUND_S)
        self.service.tick()

    def state(self) -> dict[str, Any]:
        """Pools, clusters (every field but times), what it published, what it asked AWS."""
        pools = {
            p.profile: (p.queued_jobs, p.clusters_by_state, p.free_slots)
            for p in self.app.list_pools()
        }
        clusters = {
            c.cluster_id: (
                c.state,
                c.jobs,
                c.busy_slots,
                c.lost_job_ids,
                c.stack_delete_requested,
                c.stack_deleted,
            )
            for pool in POOLS
            for c in self.app.list_clusters(pool, include_retired=True)
        }
        return {
            "pools": pools,
            "clusters": clusters,
            "published": Counter(self.published()),
            "aws": Counter((op, name) for op, name, _ in self.cloud.calls),
        }

    def published(self) -> list[tuple[str, str]]:
        events = []
        for n in self.app.recorder.select_notifications(start=1, limit=100_000):
            event_id = derived_event_id(
                "cluster-service", str(n.originator_id), n.originator_version
            )
            event = self.service.translate(n, event_id)
            if event is not None:
                about = getattr(event, "cluster_id", None) or getattr(event, "job_id", "")
                events.append((str(about), event.detail_type))
        return events


def _id() -> str:
    return str(uuid.uuid4())


@dataclass
class Job:
    """The job service's side of one job, as the news so far told it."""

    job_id: str
    pool: str
    status: str = "new"
    attempt: int = 0
    cluster_id: str | None = None


@dataclass
class Newsroom:
    """Draws what the job service and AWS would say about the in-order service's state."""

    service: Service
    jobs: list[Job]
    others: list[Service] = field(default_factory=list)
    """Services whose fake AWS follows the in-order one's (their stacks move together)."""

    def round(self, count: int, choose: Callable[[list[News]], News]) -> list[Event]:
        busy: set[str] = set()
        events: list[Event] = []
        for _ in range(count):
            choices = [(keys, make) for keys, make in self.choices() if not keys & busy]
            if not choices:
                break
            keys, make = choose(choices)
            busy |= keys
            events.append(make())
        return events

    def choices(self) -> list[News]:
        app, cloud = self.service.app, self.service.cloud
        clusters = [c for pool in POOLS for c in app.list_clusters(pool, include_retired=True)]
        found: list[News] = []
        for c in clusters:
            slots = frozenset(f"{c.cluster_id}:{s}" for s in range(c.slots))
            concerns = slots | {c.cluster_id}
            stack = cloud.stacks.get(c.stack_name)
            if stack is not None:
                for what, state in NEXT_IN_LIFE.get((stack.status, stack.emr_state), []):
                    news = partial(self._aws, c.stack_name, what, state)
                    found.append((concerns | PROVISIONING, news))
            if c.state in ("READY", "BUSY"):
                found.append((concerns | PROVISIONING, partial(self._unhealthy, c.cluster_id)))
                taken = set(c.jobs.values())
                free = [s for s in range(c.slots) if s not in taken]
                queued = [j for j in self.jobs if j.status == "queued" and j.pool == c.profile]
                for job in queued[:2]:
                    for slot in free[:1]:
                        news = partial(self._allocated, job, c.cluster_id, c.profile, slot)
                        found.append((frozenset({job.job_id, f"{c.cluster_id}:{slot}"}), news))
        for job in self.jobs:
            if job.status == "new":
                found.append((PROVISIONING | {job.job_id}, partial(self._submitted, job)))
            elif job.status == "queued":
                found.append((PROVISIONING | {job.job_id}, partial(self._cancelled, job)))
            elif job.status == "allocated":
                held = next(
                    (
                        f"{c.cluster_id}:{n}"
                        for c in clusters
                        for j, n in c.jobs.items()
                        if j == job.job_id
                    ),
                    f"{job.cluster_id}:?",
                )
                for end in ("succeeded", "failed", "requeued", "cancelled"):
                    asks = PROVISIONING if end == "requeued" else frozenset()
                    news = partial(self._ended, job, end)
                    found.append((asks | {job.job_id, held}, news))
        return found

    # The job service's news ----------------------------------------------------------------------

    def _common(self, job: Job) -> dict[str, Any]:
        return {
            "event_id": _id(),
            "occurred_at": self.service.now,
            "job_id": job.job_id,
            "tenant_id": "t-1",
        }

    def _submitted(self, job: Job) -> Event:
        job.status = "queued"
        return JobSubmitted(
            **self._common(job),
            job_profile="scoring",
            cluster_profile=job.pool,
            priority="normal",
            name=job.job_id,
            timeout_seconds=3600,
            submitted_at=self.service.now,
        )

    def _cancelled(self, job: Job) -> Event:
        job.status = "cancelled"
        return JobCancelled(**self._common(job), cluster_id=None)

    def _allocated(self, job: Job, cluster_id: str, pool: str, slot: int) -> Event:
        job.status, job.cluster_id = "allocated", cluster_id
        job.attempt += 1
        return JobAllocated(
            **self._common(job),
            cluster_id=cluster_id,
            cluster_profile=pool,
            attempt=job.attempt,
            slot=slot,
        )

    def _ended(self, job: Job, end: str) -> Event:
        common, cluster_id = self._common(job), job.cluster_id or ""
        job.status, job.cluster_id = ("queued" if end == "requeued" else end), None
        if end == "succeeded":
            return JobSucceeded(**common, cluster_id=cluster_id, attempt=job.attempt)
        if end == "failed":
            return JobFailed(
                **common,
                cluster_id=cluster_id,
                attempt=job.attempt,
                reason="step failed",
                final=True,
            )
        if end == "cancelled":
            return JobCancelled(**common, cluster_id=cluster_id)
        return JobRequeued(
            **common,
            reason="step_failed",
            attempt=job.attempt,
            cluster_id=cluster_id,
            retry_at=self.service.now,
        )

    # AWS's news ---------------------------------------------------------------------------------

    def _unhealthy(self, cluster_id: str) -> Event:
        now = self.service.now
        return ClusterUnhealthy(
            event_id=_id(), occurred_at=now, cluster_id=cluster_id, last_seen=now
        )

    def _aws(self, stack_name: str, what: str, state: str) -> Event:
        for service in [self.service, *self.others]:
            if stack_name in service.cloud.stacks:
                if what == "stack":
                    service.cloud.set_status(stack_name, state)
                else:
                    service.cloud.set_emr_state(stack_name, state)
        stack = self.service.cloud.stack(stack_name)
        if what == "stack":
            source, detail_type = CLOUDFORMATION_SOURCE, "CloudFormation Stack Status Change"
            detail: dict[str, Any] = {
                "stack-id": stack.stack_id,
                "client-request-token": "",
                "status-details": {"status": state, "status-reason": ""},
            }
        else:
            source, detail_type = EMR_SOURCE, "EMR Cluster State Change"
            code = "USER_REQUEST" if state == "TERMINATED" else "INTERNAL_ERROR"
            detail = {
                "clusterId": stack.emr_cluster_id,
                "state": state,
                "name": f"emrcp-{stack.parameters['PoolProfile']}-{stack.parameters['ClusterId']}",
                "stateChangeReason": json.dumps({"code": code}),
            }
        return {
            "version": "0",
            "id": _id(),
            "detail-type": detail_type,
            "source": source,
            "account": "123456789012",
            "time": self.service.now.isoformat(),
            "region": "us-east-1",
            "resources": [],
            "detail": detail,
        }


def workload(pools: list[str]) -> list[Job]:
    return [Job(f"job-{n}", pool) for n, pool in enumerate(pools)]


@PROPERTY_SETTINGS
@given(
    pools=st.lists(st.sampled_from(POOLS), min_size=1, max_size=6),
    rounds=st.integers(1, 10),
    data=st.data(),
)
def test_any_redelivery_in_any_order_leaves_the_pools_as_one_delivery_in_order(
    pools: list[str], rounds: int, data: st.DataObject
) -> None:
    # Given two cluster services whose fake AWS moves together
    in_order, redelivered = Service(), Service()
    newsroom = Newsroom(in_order, workload(pools), [redelivered])
    # When rounds of news reach one once each, in order, and the other as SQS may deliver them,
    # then after every round both are in the same state
    compare_rounds(data, rounds, newsroom, in_order, redelivered)


def test_the_news_covers_every_kind_of_event() -> None:
    """The property's generator is not vacuous: random rounds send every kind of news the
    cluster service consumes, and clusters come up, serve, fail and go."""
    rng = random.Random(3)
    kinds: Counter[str] = Counter()
    states: Counter[str] = Counter()
    for _ in range(8):
        service = Service()
        newsroom = Newsroom(service, workload([rng.choice(POOLS) for _ in range(6)]))
        for _ in range(20):
            for event in newsroom.round(6, rng.choice):
                kind = event["detail-type"] if isinstance(event, dict) else event.detail_type
                kinds[kind] += 1
                service.deliver(event)
            service.tick()
        states.update(
            c.state for p in POOLS for c in service.app.list_clusters(p, include_retired=True)
        )
    assert set(kinds) == {
        "JobSubmitted",
        "JobAllocated",
        "JobSucceeded",
        "JobFailed",
        "JobRequeued",
        "JobCancelled",
        "ClusterUnhealthy",
        "EMR Cluster State Change",
        "CloudFormation Stack Status Change",
    }
    assert {"READY", "FAILED", "TERMINATED"} <= set(states)
