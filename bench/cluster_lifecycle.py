"""AWS requests per cluster lifecycle: one cluster from demand to TERMINATED, on the emulator.

Both services, the messaging pipeline and the local driver run on one virtual clock with EMR-like
timings (`DriverTimings.realistic()`), and both services Tick every 60 virtual seconds. One pool
(minimum 0, idle TTL 5 minutes) gets one job: its stack is created, the cluster comes up, the job
runs its step and ends, the cluster idles past the TTL, is decommissioned, its stack deleted.

Only the cluster service's own requests are counted: its CloudFormation, EMR and SSM clients,
its event store's DynamoDB client, and its relay's PutEvents. Not counted: the job service, the
driver (it stands in for AWS itself), and what stands in for Lambda's event source mappings
(stream reads, the relay's positions, SQS receives and deletes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from backbone.eventstore import RequestMeter
from backbone.eventstore.factory import DynamoDBFactory
from backbone.messaging.publisher import EventBridgePublisher
from backbone.messaging.relay import Relay
from bench.report import Report
from cluster_service.adapters import CloudFormationProvisioner, EmrInspector, SsmThresholds
from cluster_service.application.views import ClusterSummary
from cluster_service.bootstrap import ClusterService, ClusterServiceSettings, aws_client
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
from local_runtime.stream_poller import StreamPoller

SECTION = "cluster service"
SERVICES = ("cloudformation", "emr", "dynamodb", "events", "ssm")
PROFILE = "small"
IDLE_TTL_SECONDS = 300
TICK_SECONDS = 60
ROUND_SECONDS = 10.0
"""Virtual seconds per round; every realistic driver timing is a multiple of it."""
LIMIT_SECONDS = 3_600.0
STEP_ARGS = ("bash", "-c", "sleep 300")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CREATE_STACK = "before-parameter-build.cloudformation.CreateStack"
STACK_CHANGE = "CloudFormation Stack Status Change"
DELETED = "DELETE_COMPLETE"
JOB_ENDS = ("succeeded", "failed", "cancelled")
RELAY = "cluster-service"
"""The relay's namespace, as the local runner names it."""


@dataclass(frozen=True)
class Lifecycle:
    """What one measured lifecycle took, and how it ended."""

    requests: dict[str, int]
    """Requests by "service.Operation" (e.g. "cloudformation.CreateStack")."""
    write_units: int
    """DynamoDB write units of the event store's writes."""
    virtual_seconds: float
    ticks: int
    cluster: ClusterSummary
    stack_status: str
    """The stack's last status in CloudFormation."""
    job_status: str

    def total(self, service: str = "") -> int:
        return sum(n for name, n in self.requests.items() if name.startswith(service))


def run(report: Report, emulator: Emulator) -> None:
    """Requests per lifecycle in total, per AWS service, and the event store's write units."""
    lifecycle = measure(emulator)
    print(
        f"  one lifecycle: {lifecycle.virtual_seconds / 60:.0f} virtual minutes, "
        f"{lifecycle.ticks} Ticks; job {lifecycle.job_status}, cluster "
        f"{lifecycle.cluster.state}, stack {lifecycle.stack_status}"
    )
    report.add(SECTION, "AWS requests per cluster lifecycle [total]", lifecycle.total())
    for service in SERVICES:
        name = f"AWS requests per cluster lifecycle [{service}]"
        report.add(SECTION, name, lifecycle.total(f"{service}."))
    report.add(SECTION, "DynamoDB write units per cluster lifecycle", lifecycle.write_units)
    for operation, count in sorted(lifecycle.requests.items()):
        print(f"    {operation:<50} {count:>6}")


def measure(emulator: Emulator) -> Lifecycle:
    """Run one whole lifecycle and count the cluster service's requests.

    The loop watches the stack and the job from outside the cluster service; its store is read
    only once counting is over, so the harness's own reads are not counted."""
    meter = RequestMeter()
    world = LifecycleWorld(emulator, meter)
    world.prepare()
    meter.reset()
    world.submit_job()
    world.run_until(world.finished)
    requests, write_units = meter.snapshot(), meter.write_units
    return Lifecycle(
        requests=requests,
        write_units=write_units,
        virtual_seconds=world.t,
        ticks=world.ticks,
        cluster=world.cluster(),
        stack_status=world.stack_status(),
        job_status=world.job_status(),
    )


class LifecycleWorld:
    """Both services on tables in the emulator, one pipeline, one driver, one virtual clock."""

    def __init__(self, emulator: Emulator, meter: RequestMeter) -> None:
        self.endpoint_url = emulator.endpoint_url
        self.t = 0.0
        self.ticks = 0
        self.job_id = ""
        self.stack_deleted = False
        self.stacks: list[str] = []
        """The stacks the cluster service asked CloudFormation to create."""
        self.prefix = f"bench-lifecycle-{uuid4().hex[:8]}"
        # The driver first: it leaves alone the stacks and clusters that exist when it is made
        self.driver = LocalAwsDriver(
            self.endpoint_url,
            timings=DriverTimings.realistic(),
            events_client=client("events", self.endpoint_url),
        )
        self.jobs = self._job_service()
        self.clusters = self._cluster_service(meter)
        self.pipeline = self._pipeline(meter)
        self.cfn = client("cloudformation", self.endpoint_url)

    def now(self) -> datetime:
        return T0 + timedelta(seconds=self.t)

    def _job_service(self) -> JobService:
        settings = JobServiceSettings(
            table_name=f"{self.prefix}-jobs", endpoint_url=self.endpoint_url, create_table=True
        )
        return bootstrap_job_service(settings, clock=self.now)

    def _cluster_service(self, meter: RequestMeter) -> ClusterService:
        """The service as bootstrap builds it, on clients that count into `meter`."""
        settings = ClusterServiceSettings(
            table_name=f"{self.prefix}-clusters",
            endpoint_url=self.endpoint_url,
            create_table=True,
            thresholds_ssm_prefix=f"{self.prefix}/pools",
        )
        assert settings.thresholds_ssm_prefix is not None
        cfn = _counted("cloudformation", settings, meter)
        cfn.meta.events.register(CREATE_STACK, self._stack_created)
        service = bootstrap_cluster_service(
            settings,
            provisioner=CloudFormationProvisioner(cfn),
            inspector=EmrInspector(_counted("emr", settings, meter)),
            thresholds=SsmThresholds(
                _counted("ssm", settings, meter), settings.thresholds_ssm_prefix
            ),
            clock=self.now,
        )
        factory = service.app.factory
        assert isinstance(factory, DynamoDBFactory)
        meter.attach(factory.client)
        return service

    def _stack_created(self, params: Mapping[str, Any], **_: Any) -> None:
        self.stacks.append(params["StackName"])

    def _pipeline(self, meter: RequestMeter) -> Pipeline:
        """The job service's relay and both consumers; the cluster service's relay is ours, so
        that its PutEvents (and only those) count."""
        job_table, cluster_table = self.jobs.settings.table_name, self.clusters.settings.table_name
        bus = f"{self.prefix}-bus"
        pipeline = Pipeline(
            self.endpoint_url,
            bus,
            [
                ServicePlumbing(
                    "job-service",
                    job_table,
                    translate=self.jobs.translate,
                    definition=JOB_SERVICE.with_prefix(self.prefix),
                    handle_sqs_event=self.jobs.consumer.handle_sqs_event,
                ),
                ServicePlumbing(
                    "cluster-service",
                    cluster_table,
                    definition=CLUSTER_SERVICE.with_prefix(self.prefix),
                    handle_sqs_event=self.clusters.consumer.handle_sqs_event,
                ),
            ],
        ).create()
        settings = self.clusters.settings
        events = _counted("events", settings, meter)
        relay = Relay(self.clusters.translate, EventBridgePublisher(events, bus), namespace=RELAY)
        pipeline.relays[RELAY] = StreamPoller(
            relay,
            aws_client("dynamodb", settings),
            aws_client("dynamodbstreams", settings),
            cluster_table,
        )
        return pipeline

    def prepare(self) -> None:
        """One pool that keeps nothing warm, and a job profile whose step runs five minutes."""
        at = self.now()
        profile = SEED_PROFILES[PROFILE]
        self.clusters.app.register_profile(profile, 0, 1, IDLE_TTL_SECONDS, at)
        step = StepTemplate("command", STEP_ARGS)
        terms = ProfileTerms(
            job_type="scoring", cluster_profile=PROFILE, step_template=step, max_attempts=1
        )
        self.jobs.app.create_profile("bench-scoring", terms, at=at)
        self.pipeline.pump()

    def submit_job(self) -> None:
        job = self.jobs.app.submit("bench-tenant", "bench-scoring", "run", {}, at=self.now())
        self.job_id = str(job.id)
        self.pipeline.pump()

    def round(self) -> None:
        """One step of virtual time: the driver, the messaging path, and the Ticks when due.

        Each pump settles everything, so one is needed only after the driver put AWS events on
        the bus or the services ticked."""
        self.t += ROUND_SECONDS
        aws_events = self.driver.tick(self.t)
        if aws_events:
            self.stack_deleted = self.stack_deleted or any(map(self._deletes_stack, aws_events))
            self.pipeline.pump()
        if self.t >= (self.ticks + 1) * TICK_SECONDS:
            self.ticks += 1
            saved = self._writes()
            self.jobs.tick()
            self.clusters.tick()
            if self._writes() != saved:
                self.pipeline.pump()

    def _writes(self) -> int:
        """Write units of both services' event stores so far: what a Tick that saved nothing
        leaves unchanged (and then it has nothing to relay)."""
        factories = (self.jobs.app.factory, self.clusters.app.factory)
        return sum(f.meter.write_units for f in factories if isinstance(f, DynamoDBFactory))

    def run_until(self, done: Callable[[], bool]) -> None:
        while not done():
            if self.t >= LIMIT_SECONDS:
                raise AssertionError(f"no end after {LIMIT_SECONDS:.0f} virtual seconds")
            self.round()

    def _deletes_stack(self, aws_event: Mapping[str, Any]) -> bool:
        """Whether an AWS event says the first stack created is deleted."""
        if aws_event["detail-type"] != STACK_CHANGE or not self.stacks:
            return False
        detail = aws_event["detail"]
        stack = f"/{self.stacks[0]}/"
        return stack in detail["stack-id"] and detail["status-details"]["status"] == DELETED

    def finished(self) -> bool:
        """The job is over and the stack deleted, as the job service and AWS's events say."""
        return self.stack_deleted and self.job_status() in JOB_ENDS

    def cluster(self) -> ClusterSummary:
        """The pool's one cluster, as the cluster service records it."""
        (cluster,) = self.clusters.app.list_clusters(PROFILE, include_retired=True)
        return cluster

    def stack_status(self) -> str:
        """The first stack's status in CloudFormation ("NONE" before there is one)."""
        if not self.stacks:
            return "NONE"
        name = self.stacks[0]
        pages = self.cfn.get_paginator("list_stacks").paginate()
        found = [
            s["StackStatus"] for p in pages for s in p["StackSummaries"] if s["StackName"] == name
        ]
        return found[-1] if found else "NONE"

    def job_status(self) -> str:
        return str(self.jobs.app.get("bench-tenant", self.job_id).status)


def _counted(service: str, settings: ClusterServiceSettings, meter: RequestMeter) -> Any:
    """A client as bootstrap builds them, counting into `meter`."""
    return meter.attach(aws_client(service, settings))
