"""Invariant 8 on the real job service: redelivered, reordered news ends in the state of once.

The job service as bootstrap builds it (in-memory store, its consumer), fed a workload of jobs
across two job profiles (two cluster profiles) and priorities, then rounds of what the cluster
service and EMR would tell it about the state of the round's start (ClusterReady, ClusterIdle,
ClusterFailed, ClusterTerminated, ClusterUnhealthy, AllocationRejected, EMR step status
changes, the CANCELLED of steps it cancelled), delivered as tests/redelivery.py describes. After
every round, both services' jobs, known clusters and EMR steps agree, and no step (a job's
attempt, by its name) was ever added twice.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from events.schemas import (
    AllocationRejected,
    ClusterFailed,
    ClusterIdle,
    ClusterReady,
    ClusterTerminated,
    ClusterUnhealthy,
    IntegrationEvent,
    derived_event_id,
    to_envelope,
)
from job_service.adapters import FakeStepRunner
from job_service.application.ports import StepStatus
from job_service.bootstrap import JobService, JobServiceSettings, bootstrap
from job_service.domain import Job, ProfileTerms, StepTemplate
from job_service.domain.values import PRIORITIES, Priority
from tests.redelivery import PROPERTY_SETTINGS, compare_rounds

T0 = datetime(2026, 2, 2, 8, 0, tzinfo=UTC)
TENANT = "tenant-1"
PROFILES = {"train": "spark-small", "score": "spark-large"}
"""Job profile → cluster profile."""
CLUSTERS = {"c-s1": "spark-small", "c-s2": "spark-small", "c-l1": "spark-large"}
ROUND_S = 61
"""Virtual seconds between two rounds: past the first back-off, under reconcile_after."""
STEP = "EMR Step Status Change"
Event = IntegrationEvent | dict[str, Any]


@dataclass
class Emr:
    """What EMR knows of steps, shared by both services' runners: a step's state by its id,
    set by the rounds' news, so a DescribeStep agrees with them."""

    states: dict[str, str] = field(default_factory=dict)


class RecordingStepRunner(FakeStepRunner):
    """A FakeStepRunner whose step ids follow from the step's name (the job's id and attempt)
    and how often that name was added (an attempt refunded by a rejection runs again under the
    same name), so the same step gets the same id in both services; its states are EMR's. It
    counts AddJobFlowSteps per name."""

    def __init__(self, emr: Emr) -> None:
        super().__init__()
        self.emr = emr
        self.added: Counter[str] = Counter()

    def add_step(self, emr_cluster_id: str, step_config: Mapping[str, Any]) -> str:
        step_id = super().add_step(emr_cluster_id, step_config)
        name = step_config["Name"]
        self.added[name] += 1
        step = self.steps.pop(step_id)
        step.step_id = step_id_of(f"{name}/{self.added[name]}")
        self.steps[step.step_id] = step
        self.emr.states.setdefault(step.step_id, "PENDING")
        return step.step_id

    def describe_step(self, emr_cluster_id: str, step_id: str) -> StepStatus:
        status = super().describe_step(emr_cluster_id, step_id)
        return StepStatus(self.emr.states.get(step_id, status.state))

    def cancel_step(self, emr_cluster_id: str, step_id: str) -> None:
        super().cancel_step(emr_cluster_id, step_id)
        if self.emr.states.get(step_id) in ("PENDING", "RUNNING"):
            self.emr.states[step_id] = "CANCELLED"


def step_id_of(name: str) -> str:
    return "s-" + hashlib.sha256(name.encode()).hexdigest()[:13].upper()


@dataclass(frozen=True)
class Workload:
    jobs: tuple[tuple[str, Priority], ...]
    """(job profile, priority) of each job, submitted in this order."""
    slots: Mapping[str, int]


class Service:
    """One job service process with the workload submitted (ids from idempotency keys)."""

    def __init__(self, workload: Workload, emr: Emr) -> None:
        self.now = T0
        self.runner = RecordingStepRunner(emr)
        settings = JobServiceSettings("unused", persistence_module="backbone.eventstore.memory")
        self.service: JobService = bootstrap(
            settings, step_runner=self.runner, clock=lambda: self.now
        )
        self.app = self.service.app
        for name, cluster_profile in PROFILES.items():
            template = StepTemplate("spark", ("s3://bucket/job.py", "--run", "{run}"))
            terms = ProfileTerms("training", cluster_profile, template, timeout_seconds=86_400)
            self.app.create_profile(name, terms, at=T0)
        self.jobs = [
            self.app.submit(
                TENANT, profile, f"job-{n}", {"run": str(n)}, priority, f"key-{n}", at=T0
            ).id
            for n, (profile, priority) in enumerate(workload.jobs)
        ]

    def deliver(self, event: Event) -> None:
        """One SQS delivery: an integration event in a new envelope, an AWS event as it was."""
        envelope = event if isinstance(event, dict) else to_envelope(event, envelope_id=_id())
        outcome = self.service.consumer.handle_message_body(json.dumps(envelope))
        assert outcome.value in ("handled", "duplicate")

    def tick(self) -> None:
        self.now += timedelta(seconds=ROUND_S)
        self.app.tick(self.now)

    def state(self) -> dict[str, Any]:
        """The read model the comparison is on: jobs, known clusters, steps, what is published."""
        jobs = {
            n: (str(j.status), j.attempts, j.cluster_id, j.slot, j.step_id, j.retry_at)
            for n, j in enumerate(self.app.get(TENANT, job_id) for job_id in self.jobs)
        }
        known = {c: self.app.store.known_cluster(c) for c in CLUSTERS}
        clusters = {c: k.takes_jobs for c, k in known.items() if k is not None}
        published = Counter(
            (getattr(e, "job_id", None) or getattr(e, "cluster_id", None), e.detail_type)
            for e in self.published()
        )
        return {
            "jobs": jobs,
            "clusters": clusters,
            "steps": self.runner.added,
            "cancelled": set(self.runner.cancelled),
            "published": published,
        }

    def published(self) -> list[IntegrationEvent]:
        events = []
        for n in self.app.recorder.select_notifications(start=1, limit=100_000):
            event_id = derived_event_id("job-service", str(n.originator_id), n.originator_version)
            event = self.service.translate(n, event_id)
            if event is not None:
                events.append(event)
        return events


def _id() -> str:
    return str(uuid4())


# The news of one round, from the state at its start ----------------------------------------------


class Newsroom:
    """Draws the events the rest of the system would send about the state of the in-order
    service at a round's start (only news that can be true of that state).

    The job service places jobs first come, first served: news about one pool that fills or
    frees its slots (a cluster ready, idle or lost, a step's end, a rejection) races by design,
    a different order being a different, equally valid placement. So a round holds at most one
    such event per pool; news of different pools, a step heard RUNNING and the CANCELLED of a
    step no longer current race freely, and every event may come again at any time."""

    def __init__(self, service: Service, slots: Mapping[str, int]) -> None:
        self.service = service
        self.slots = slots
        self.announced: set[str] = set()
        self.reported: set[str] = set()
        """Steps whose CANCELLED was sent."""

    def round(self, count: int, choose: Callable[[list[News]], News]) -> list[Event]:
        """Up to `count` pieces of news, each chosen from what may be said at that point."""
        busy: set[str] = set()
        events: list[Event] = []
        for _ in range(count):
            choices = self.choices(busy)
            if not choices:
                break
            concerns, make = choose(choices)
            busy.add(concerns)
            events.append(make())
        return events

    def choices(self, busy: set[str]) -> list[News]:
        """(what it concerns, how to make it) of each piece of news that may come now."""
        app, at = self.service.app, self.service.now
        jobs = [app.get(TENANT, job_id) for job_id in self.service.jobs]
        runner = self.service.runner
        found: list[News] = []
        for cluster, pool in CLUSTERS.items():
            if pool in busy:
                continue
            if cluster not in self.announced:
                found.append((pool, partial(self._ready, cluster, at)))
                continue
            for free in range(1, self.slots[cluster] + 1):
                found.append((pool, partial(idle_event, cluster, free, at)))
            holding = tuple(
                str(j.id) for j in jobs if j.cluster_id == cluster and str(j.status) in HOLDING
            )
            for how in ("failed", "terminated", "unhealthy"):
                found.append((pool, partial(lost_event, cluster, how, holding, at)))
        for job in jobs:
            if job.cluster_id is None or str(job.status) not in HOLDING:
                continue
            if job.cluster_profile not in busy:
                found.append((job.cluster_profile, partial(rejection, job, at)))
            if str(job.status) != "running" or job.step_id is None:
                continue
            if str(job.id) not in busy:
                found.append(
                    (str(job.id), partial(self._step, job.step_id, job.cluster_id, "RUNNING"))
                )
            if job.cluster_profile not in busy:
                for state in ("COMPLETED", "FAILED"):
                    found.append(
                        (
                            job.cluster_profile,
                            partial(self._step, job.step_id, job.cluster_id, state),
                        )
                    )
        for step_id in runner.cancelled:
            if step_id not in self.reported and step_id not in busy:
                found.append((step_id, partial(self._cancelled, step_id)))
        return found

    def _ready(self, cluster: str, at: datetime) -> Event:
        self.announced.add(cluster)
        return ClusterReady(
            event_id=_id(),
            occurred_at=at,
            cluster_id=cluster,
            cluster_profile=CLUSTERS[cluster],
            emr_cluster_id=emr_id(cluster),
            slots=self.slots[cluster],
        )

    def _step(self, step_id: str, cluster: str, state: str) -> Event:
        self.service.runner.emr.states[step_id] = state
        return step_event(step_id, emr_id(cluster), state)

    def _cancelled(self, step_id: str) -> Event:
        self.reported.add(step_id)
        return step_event(step_id, self.service.runner.steps[step_id].emr_cluster_id, "CANCELLED")


HOLDING = ("allocated", "running")
News = tuple[str, Callable[[], Event]]
"""What a piece of news concerns (a pool, a job or a step) and how to make its event."""


def idle_event(cluster: str, free: int, at: datetime) -> Event:
    return ClusterIdle(
        event_id=_id(),
        occurred_at=at,
        cluster_id=cluster,
        cluster_profile=CLUSTERS[cluster],
        free_slots=free,
    )


def rejection(job: Job, at: datetime) -> Event:
    return AllocationRejected(
        event_id=_id(),
        occurred_at=at,
        job_id=str(job.id),
        tenant_id=TENANT,
        cluster_id=job.cluster_id or "",
        attempt=job.attempts,
        reason="no_free_slot",
    )


def lost_event(cluster: str, how: str, holding: tuple[str, ...], at: datetime) -> Event:
    profile = CLUSTERS[cluster]
    if how == "failed":
        return ClusterFailed(
            event_id=_id(),
            occurred_at=at,
            cluster_id=cluster,
            cluster_profile=profile,
            reason="EMR cluster terminated with errors",
            lost_job_ids=holding,
        )
    if how == "terminated":
        return ClusterTerminated(
            event_id=_id(), occurred_at=at, cluster_id=cluster, cluster_profile=profile
        )
    return ClusterUnhealthy(event_id=_id(), occurred_at=at, cluster_id=cluster, last_seen=at)


def emr_id(cluster: str) -> str:
    return "j-" + cluster.replace("-", "").upper()


def step_event(step_id: str, emr_cluster_id: str, state: str) -> dict[str, Any]:
    """An AWS "EMR Step Status Change" envelope: its id is its identity (redeliveries keep it)."""
    return {
        "version": "0",
        "id": _id(),
        "detail-type": STEP,
        "source": "aws.emr",
        "account": "123456789012",
        "time": T0.isoformat(),
        "region": "us-east-1",
        "resources": [],
        "detail": {"clusterId": emr_cluster_id, "stepId": step_id, "state": state},
    }


WORKLOADS = st.builds(
    Workload,
    st.lists(
        st.tuples(st.sampled_from(sorted(PROFILES)), st.sampled_from(PRIORITIES)),
        min_size=1,
        max_size=6,
    ).map(tuple),
    st.fixed_dictionaries({c: st.integers(1, 2) for c in CLUSTERS}),
)


@PROPERTY_SETTINGS
@given(workload=WORKLOADS, rounds=st.integers(1, 8), data=st.data())
def test_any_redelivery_in_any_order_leaves_the_jobs_as_one_delivery_in_order(
    workload: Workload, rounds: int, data: st.DataObject
) -> None:
    # Given the same workload in two job services that see the same EMR
    emr = Emr()
    in_order, redelivered = Service(workload, emr), Service(workload, emr)
    newsroom = Newsroom(in_order, workload.slots)
    # When rounds of news reach one once each, in order, and the other as SQS may deliver them,
    # then after every round both are in the same state
    compare_rounds(data, rounds, newsroom, in_order, redelivered)


def test_the_news_covers_every_kind_of_event_and_ends_jobs() -> None:
    """The property's generator is not vacuous: random rounds send every kind of news the job
    service consumes, and jobs end in each way."""
    rng = random.Random(5)
    kinds: Counter[str] = Counter()
    ended: Counter[str] = Counter()
    for _ in range(10):
        workload = Workload(
            tuple((rng.choice(sorted(PROFILES)), rng.choice(PRIORITIES)) for _ in range(5)),
            {c: rng.randint(1, 2) for c in CLUSTERS},
        )
        service = Service(workload, Emr())
        newsroom = Newsroom(service, workload.slots)
        for _ in range(8):
            for event in newsroom.round(6, rng.choice):
                kinds[
                    event["detail"]["state"] if isinstance(event, dict) else event.detail_type
                ] += 1
                service.deliver(event)
            service.tick()
        ended.update(str(service.app.get(TENANT, job_id).status) for job_id in service.jobs)
    assert set(kinds) == {
        "ClusterReady",
        "ClusterIdle",
        "ClusterFailed",
        "ClusterTerminated",
        "ClusterUnhealthy",
        "AllocationRejected",
        "RUNNING",
        "COMPLETED",
        "FAILED",
        "CANCELLED",
    }
    assert {"succeeded", "failed", "running", "queued"} <= set(ended)
