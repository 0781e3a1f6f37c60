"""The write path's requests, counted per service table per job on the emulator.

The three services run as bootstrap builds them, each on its own table in moto, wired by one
messaging pipeline (store → stream → relay → bus → rule → queue → consumer) with the local EMR and
CloudFormation driver on one virtual clock (`DriverTimings()`: the fast local timings; what is
counted is requests, not time). A burst of jobs is submitted through the job service's use case
(what its API calls), spread over two pools; the run ends when every job has ended and every
cluster it started is terminated (the pools keep no minimum), so cluster start-up and tear-down
are part of the per-job cost.

Each service's event-store client is watched: every request by operation (its factory's
RequestMeter) and the shape of every TransactWriteItems (`TransactionShape`: how many items of
each kind, the hot items' write units), sorted by what caused it: the API (`api`), a consumed
message (`consume`) or a scheduled Tick (`tick`, heartbeats and health checks, which scale with
time and instances, not jobs: reported apart). The write-path model (`bench/write_model.py`) is
fed with these shapes.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from uuid import uuid4

from backbone.eventstore.factory import DynamoDBFactory
from backbone.eventstore.items import COUNTER_PK, NOTIFICATION_PK
from cluster_service.bootstrap import ClusterService, ClusterServiceSettings
from cluster_service.bootstrap import bootstrap as bootstrap_cluster_service
from cluster_service.domain.profiles import SEED_PROFILES
from cluster_service.subscriptions import DEFINITION as CLUSTER_SERVICE
from job_service.bootstrap import JobService, JobServiceSettings
from job_service.bootstrap import bootstrap as bootstrap_job_service
from job_service.domain import ProfileTerms, StepTemplate
from job_service.subscriptions import DEFINITION as JOB_SERVICE
from local_runtime.emr_driver import DriverTimings, LocalAwsDriver
from local_runtime.emulator import Emulator, client
from local_runtime.pipeline import Pipeline, ServicePlumbing
from monitor_service.bootstrap import MonitorService, MonitorServiceSettings
from monitor_service.bootstrap import bootstrap as bootstrap_monitor_service
from monitor_service.subscriptions import DEFINITION as MONITOR_SERVICE

SERVICES: Final = ("job", "cluster", "monitor")
CAUSES: Final = ("api", "consume", "tick")
JOBS: Final = 16
"""Jobs per counted run: enough for every kind of save to show, small enough for moto."""
POOLS: Final = {"small": "scoring", "medium": "predicting"}
"""Cluster profile -> the job type its job profile runs."""
MAXIMUM: Final = 2
IDLE_TTL_SECONDS: Final = 30
TICK_SECONDS: Final = 10
ROUND_SECONDS: Final = 1.0
LIMIT_SECONDS: Final = 1_800.0
STEP_ARGS: Final = ("bash", "-c", "sleep 5")
T0: Final = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
JOB_ENDS: Final = ("succeeded", "failed", "cancelled")
WRITE_UNIT_BYTES: Final = 1024


@dataclass(frozen=True)
class TransactionShape:
    """One TransactWriteItems: the items it touches, by kind, and the hot items' write units.

    A transactional write costs two write units per KB of each item (DynamoDB developer guide,
    "Capacity management for transactions")."""

    counter: int
    notifications: int
    aggregates: int
    markers: int
    tracking: int
    notification_units: int
    """Write units charged to the `notification` partition."""

    @property
    def items(self) -> int:
        return self.counter + self.notifications + self.aggregates + self.markers + self.tracking

    @property
    def counter_units(self) -> int:
        return 2 * self.counter


@dataclass
class ServiceCounts:
    """What one service's event-store client did, by cause."""

    requests: dict[str, Counter[str]] = field(
        default_factory=lambda: {cause: Counter() for cause in CAUSES}
    )
    """cause -> operation -> requests."""
    shapes: dict[str, list[TransactionShape]] = field(
        default_factory=lambda: {cause: [] for cause in CAUSES}
    )
    hot_reads: Counter[str] = field(default_factory=Counter)
    """cause -> strongly consistent reads of the counter item or the notification partition."""


@dataclass
class Counted:
    """A counted run: per service, the requests and transaction shapes; jobs and heartbeats."""

    jobs: int
    ticks: int
    virtual_seconds: float
    services: dict[str, ServiceCounts]
    job_states: Counter[str]

    def per_job(self, service: str, operation: str = "TransactWriteItems") -> float:
        """Requests of `operation` per job caused by jobs (API and consumed messages)."""
        counts = self.services[service].requests
        return (counts["api"][operation] + counts["consume"][operation]) / self.jobs

    def job_shapes(self, service: str) -> list[TransactionShape]:
        """The transactions the jobs caused (API and consumed messages), in order."""
        shapes = self.services[service].shapes
        return shapes["api"] + shapes["consume"]

    def hot_reads_per_job(self, service: str) -> float:
        reads = self.services[service].hot_reads
        return (reads["api"] + reads["consume"]) / self.jobs

    def operations(self, service: str) -> Counter[str]:
        counts = self.services[service].requests
        return counts["api"] + counts["consume"]


class CountingWorld:
    """The three services on the emulator, one pipeline, one driver, one virtual clock."""

    def __init__(self, emulator: Emulator, *, batched: bool) -> None:
        self.endpoint_url = emulator.endpoint_url
        self.prefix = f"bench-writes-{uuid4().hex[:8]}"
        self.t = 0.0
        self.ticks = 0
        self.cause = "setup"
        self.counts = {name: ServiceCounts() for name in SERVICES}
        self.driver = LocalAwsDriver(
            self.endpoint_url,
            timings=DriverTimings(),
            events_client=client("events", self.endpoint_url),
        )
        self.jobs = bootstrap_job_service(JobServiceSettings(**self._store("jobs")), clock=self.now)
        self.clusters = bootstrap_cluster_service(
            ClusterServiceSettings(
                **self._store("clusters"), thresholds_ssm_prefix=f"{self.prefix}/pools"
            ),
            clock=self.now,
        )
        self.monitor = bootstrap_monitor_service(
            MonitorServiceSettings(**self._store("monitor")), clock=self.now
        )
        self.services: dict[str, JobService | ClusterService | MonitorService] = {
            "job": self.jobs,
            "cluster": self.clusters,
            "monitor": self.monitor,
        }
        for name, service in self.services.items():
            service.consumer.batch_saves = batched and service.consumer.batch_saves
            self._watch(name, service)
        self.pipeline = self._pipeline()
        self.job_ids: list[tuple[str, str]] = []

    def now(self) -> datetime:
        return T0 + timedelta(seconds=self.t)

    def _store(self, name: str) -> dict[str, Any]:
        return {
            "table_name": f"{self.prefix}-{name}",
            "endpoint_url": self.endpoint_url,
            "create_table": True,
        }

    def _watch(self, name: str, service: Any) -> None:
        factory = service.app.factory
        assert isinstance(factory, DynamoDBFactory)
        counts = self.counts[name]

        def on_call(model: Any, params: Any, **_: Any) -> None:
            if self.cause not in CAUSES:
                return
            counts.requests[self.cause][model.name] += 1
            if model.name == "TransactWriteItems":
                counts.shapes[self.cause].append(shape_of(params["TransactItems"]))
            elif _reads_hot_partition(model.name, params):
                counts.hot_reads[self.cause] += 1

        factory.client.meta.events.register("provide-client-params.dynamodb", on_call)

    def _pipeline(self) -> Pipeline:
        definitions = {"job": JOB_SERVICE, "cluster": CLUSTER_SERVICE, "monitor": MONITOR_SERVICE}
        plumbing = [
            ServicePlumbing(
                f"{name}-service",
                service.settings.table_name,
                translate=service.translate,
                definition=definitions[name].with_prefix(self.prefix),
                handle_sqs_event=service.consumer.handle_sqs_event,
            )
            for name, service in self.services.items()
        ]
        return Pipeline(self.endpoint_url, f"{self.prefix}-bus", plumbing).create()

    @contextmanager
    def caused_by(self, cause: str) -> Iterator[None]:
        before, self.cause = self.cause, cause
        try:
            yield
        finally:
            self.cause = before

    def prepare(self) -> None:
        """Two pools that keep nothing warm, each with a job profile whose step runs 5 s."""
        at = self.now()
        for cluster_profile, job_type in POOLS.items():
            profile = SEED_PROFILES[cluster_profile]
            self.clusters.app.register_profile(profile, 0, MAXIMUM, IDLE_TTL_SECONDS, at)
            terms = ProfileTerms(
                job_type=job_type,
                cluster_profile=cluster_profile,
                step_template=StepTemplate("command", STEP_ARGS),
                max_attempts=2,
            )
            self.jobs.app.create_profile(f"bench-{job_type}", terms, at=at)
        self.pipeline.pump()

    def submit(self, jobs: int) -> None:
        """A burst of jobs over both pools and every priority, as the API would submit them."""
        priorities = ("critical", "high", "normal", "low")
        profiles = [f"bench-{job_type}" for job_type in POOLS.values()]
        with self.caused_by("api"):
            for i in range(jobs):
                tenant = f"tenant-{i % 3}"
                job = self.jobs.app.submit(
                    tenant,
                    profiles[i % len(profiles)],
                    f"job-{i}",
                    {},
                    priority=priorities[i % len(priorities)],  # type: ignore[arg-type]
                    at=self.now(),
                )
                self.job_ids.append((tenant, str(job.id)))
        with self.caused_by("consume"):
            self.pipeline.pump()

    def round(self) -> None:
        self.t += ROUND_SECONDS
        with self.caused_by("consume"):
            if self.driver.tick(self.t):
                self.pipeline.pump()
        if self.t >= (self.ticks + 1) * TICK_SECONDS:
            self.ticks += 1
            with self.caused_by("tick"):
                for service in self.services.values():
                    service.tick()
            with self.caused_by("consume"):
                self.pipeline.pump()

    def job_states(self) -> Counter[str]:
        return Counter(
            str(self.jobs.app.get(tenant, job_id).status) for tenant, job_id in self.job_ids
        )

    def settled(self) -> bool:
        """Every job ended and no cluster left alive (so tear-down is counted too)."""
        states = self.job_states()
        if sum(states[end] for end in JOB_ENDS) < len(self.job_ids):
            return False
        live = [
            c
            for profile in POOLS
            for c in self.clusters.app.list_clusters(profile, include_retired=False)
        ]
        return not live

    def run(self) -> None:
        while True:
            with self.caused_by("setup"):
                done = self.settled()
            if done:
                return
            if self.t >= LIMIT_SECONDS:
                raise AssertionError(f"not settled after {LIMIT_SECONDS:.0f} virtual seconds")
            self.round()


def shape_of(operations: list[dict[str, Any]]) -> TransactionShape:
    """Sort a transaction's items by the kind its partition key names (items.py's layout)."""
    kinds: Counter[str] = Counter()
    notification_units = 0
    for operation in operations:
        (body,) = operation.values()
        key = body.get("Key") or body["Item"]
        pk = key["pk"]["S"]
        if pk == COUNTER_PK:
            kinds["counter"] += 1
        elif pk == NOTIFICATION_PK:
            kinds["notifications"] += 1
            notification_units += 2 * math.ceil(_size(body["Item"]) / WRITE_UNIT_BYTES)
        elif pk.startswith("consumed#"):
            kinds["markers"] += 1
        elif pk.startswith("tracking#"):
            kinds["tracking"] += 1
        else:
            kinds["aggregates"] += 1
    return TransactionShape(
        counter=kinds["counter"],
        notifications=kinds["notifications"],
        aggregates=kinds["aggregates"],
        markers=kinds["markers"],
        tracking=kinds["tracking"],
        notification_units=notification_units,
    )


def _reads_hot_partition(operation: str, params: dict[str, Any]) -> bool:
    if operation == "GetItem":
        return bool(params["Key"]["pk"]["S"] == COUNTER_PK)
    if operation == "Query":
        return bool(params["ExpressionAttributeValues"][":pk"]["S"] == NOTIFICATION_PK)
    return False


def _size(item: dict[str, dict[str, Any]]) -> int:
    """An item's size as DynamoDB bills it, near enough: names plus values."""
    total = 0
    for name, value in item.items():
        (raw,) = value.values()
        total += len(name) + (len(raw) if isinstance(raw, (bytes, str)) else 8)
    return total


def count(emulator: Emulator, *, jobs: int = JOBS, batched: bool = True) -> Counted:
    """Run `jobs` jobs through the platform on the emulator and count each service's writes."""
    world = CountingWorld(emulator, batched=batched)
    with world.caused_by("setup"):
        world.prepare()
    world.submit(jobs)
    world.run()
    return Counted(
        jobs=jobs,
        ticks=world.ticks,
        virtual_seconds=world.t,
        services=world.counts,
        job_states=world.job_states(),
    )


def by_operation(counted: Counted) -> dict[str, dict[str, float]]:
    """service -> operation -> requests per job (jobs' causes only)."""
    table: dict[str, dict[str, float]] = defaultdict(dict)
    for service in SERVICES:
        for operation, n in sorted(counted.operations(service).items()):
            table[service][operation] = n / counted.jobs
    return dict(table)
