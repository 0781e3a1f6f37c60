"""The happy path of the whole saga, through both services' real handlers and the emulator.

A job submitted to the job service → the cluster service sees demand and creates a stack
(CloudFormation on moto) → the local driver moves the stack and its EMR cluster to WAITING and
puts AWS's events on the default bus → ClusterReady → the job service allocates the job and adds
its EMR step → the driver runs the step to COMPLETED → JobSucceeded → the cluster frees the slot.
Everything runs on one virtual clock: the driver's ticks, the services' clocks and their Ticks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cluster_service.adapters import CloudFormationProvisioner
from cluster_service.bootstrap import ClusterService, ClusterServiceSettings
from cluster_service.bootstrap import aws_client as cluster_aws_client
from cluster_service.bootstrap import bootstrap as bootstrap_cluster_service
from cluster_service.subscriptions import DEFINITION as CLUSTER_SERVICE
from job_service.bootstrap import JobService, JobServiceSettings
from job_service.bootstrap import bootstrap as bootstrap_job_service
from job_service.domain import ProfileTerms, StepTemplate
from job_service.subscriptions import DEFINITION as JOB_SERVICE
from local_runtime.emr_driver import LocalAwsDriver
from local_runtime.emulator import Emulator, client
from local_runtime.pipeline import Pipeline, ServicePlumbing
from tests.support import unique_name

pytestmark = pytest.mark.emulator

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STEP = 0.25
"""Virtual seconds per round; every default driver timing is a multiple of it."""
PROFILE = "small"
JOB_PROFILE = "nightly-scoring"
TENANT = "tenant-1"


class CountingProvisioner(CloudFormationProvisioner):
    """The real provisioner, remembering the stacks it was asked to create."""

    def __init__(self, cfn_client: Any) -> None:
        super().__init__(cfn_client)
        self.created: list[str] = []

    def create_stack(
        self,
        stack_name: str,
        template: str,
        parameters: Sequence[Any],
        client_request_token: str,
        tags: Any,
    ) -> None:
        self.created.append(stack_name)
        super().create_stack(stack_name, template, parameters, client_request_token, tags)


class SagaWorld:
    """Both services on DynamoDB tables in the emulator, one pipeline, one driver, one clock."""

    def __init__(self, emulator: Emulator) -> None:
        self.endpoint_url = emulator.endpoint_url
        self.t = 0.0
        prefix = unique_name("saga")
        self.prefix = prefix
        clock = self.now
        # The driver first: it leaves alone the stacks and clusters that exist when it is made
        events = client("events", self.endpoint_url)
        self.driver = LocalAwsDriver(self.endpoint_url, events_client=events)
        job_settings = JobServiceSettings(
            table_name=f"{prefix}-jobs", endpoint_url=self.endpoint_url, create_table=True
        )
        self.jobs: JobService = bootstrap_job_service(job_settings, clock=clock)
        cluster_settings = ClusterServiceSettings(
            table_name=f"{prefix}-clusters", endpoint_url=self.endpoint_url, create_table=True
        )
        cfn = cluster_aws_client("cloudformation", cluster_settings)
        self.provisioner = CountingProvisioner(cfn)
        self.clusters: ClusterService = bootstrap_cluster_service(
            cluster_settings, provisioner=self.provisioner, clock=clock
        )
        self.job_definition = JOB_SERVICE.with_prefix(prefix)
        self.cluster_definition = CLUSTER_SERVICE.with_prefix(prefix)
        self.pipeline = Pipeline(
            self.endpoint_url,
            f"{prefix}-bus",
            [
                ServicePlumbing(
                    "job-service",
                    job_settings.table_name,
                    translate=self.jobs.translate,
                    definition=self.job_definition,
                    handle_sqs_event=self.jobs.consumer.handle_sqs_event,
                ),
                ServicePlumbing(
                    "cluster-service",
                    cluster_settings.table_name,
                    translate=self.clusters.translate,
                    definition=self.cluster_definition,
                    handle_sqs_event=self.clusters.consumer.handle_sqs_event,
                ),
            ],
        ).create()
        self.sqs = client("sqs", self.endpoint_url)
        self.emr = client("emr", self.endpoint_url)

    def now(self) -> datetime:
        return T0 + timedelta(seconds=self.t)

    def round(self) -> None:
        """One step of virtual time: the driver, the messaging path, then both Ticks."""
        self.t += STEP
        self.driver.tick(self.t)
        self.pipeline.pump()
        self.jobs.tick()
        self.clusters.tick()
        self.pipeline.pump()

    def run_until(self, done: Any, *, limit: float = 120.0) -> None:
        while not done():
            if self.t >= limit:
                raise AssertionError(f"not done after {limit} virtual seconds")
            self.round()

    def dead_letters(self) -> dict[str, int]:
        """Messages in each service's dead-letter queue (visible or in flight)."""
        counts = {}
        for definition in (self.job_definition, self.cluster_definition):
            url = self.sqs.get_queue_url(QueueName=definition.dead_letter_queue_name)["QueueUrl"]
            attributes = self.sqs.get_queue_attributes(
                QueueUrl=url,
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                ],
            )["Attributes"]
            counts[definition.dead_letter_queue_name] = sum(int(v) for v in attributes.values())
        return counts


@pytest.fixture
def saga(emulator: Emulator) -> Iterator[SagaWorld]:
    yield SagaWorld(emulator)


def test_a_submitted_job_gets_a_cluster_runs_its_step_and_frees_the_slot(saga: SagaWorld) -> None:
    # Given a pool of at most one cluster, none kept warm, and a job profile whose step sleeps 2 s
    at = saga.now()
    saga.clusters.app.seed(at, {"small": (0, 1, 600), "medium": (0, 1, 60), "large": (0, 1, 60)})
    saga.jobs.app.create_profile(
        JOB_PROFILE,
        ProfileTerms(
            job_type="scoring",
            cluster_profile=PROFILE,
            step_template=StepTemplate("command", ("bash", "-c", "sleep 2")),
            max_attempts=1,
            timeout_seconds=600,
        ),
        at=at,
    )
    saga.pipeline.pump()
    assert saga.provisioner.created == []
    # When a job is submitted and virtual time goes on until it ends
    job_id = saga.jobs.app.submit(TENANT, JOB_PROFILE, "scoring-run", {}, at=at).id
    saga.pipeline.pump()

    def job_status() -> str:
        return str(saga.jobs.app.get(TENANT, job_id).status)

    saga.run_until(lambda: job_status() in ("succeeded", "failed", "cancelled"))
    # And the rest of the messages settle
    for _ in range(8):
        saga.round()
    # Then the job succeeded, on the one cluster started for it, and the cluster is free again
    assert job_status() == "succeeded"
    assert len(saga.provisioner.created) == 1
    (cluster,) = saga.clusters.app.list_clusters(PROFILE)
    assert cluster.stack_name == saga.provisioner.created[0]
    assert cluster.state == "READY"
    assert (cluster.busy_slots, cluster.jobs) == (0, {})
    assert cluster.idle_since is not None
    assert saga.clusters.app.get_pool(PROFILE).queued_jobs == 0
    # And the job ran once, as a real step of that EMR cluster, which the driver completed
    job = saga.jobs.app.get(TENANT, job_id)
    assert job.attempts == 1 and job.step_id is not None
    assert cluster.emr_cluster_id is not None
    step = saga.emr.describe_step(ClusterId=cluster.emr_cluster_id, StepId=job.step_id)["Step"]
    assert step["Status"]["State"] == "COMPLETED"
    assert step["Config"]["Args"] == ["bash", "-c", "sleep 2"]
    assert job.started_at is not None and job.finished_at is not None
    assert job.finished_at - job.started_at >= timedelta(seconds=2)
    assert saga.t < 30  # stack 1 s + cluster 4 s + step 2.5 s, plus the settling rounds
    # And no message of either service ended in a dead-letter queue
    assert set(saga.dead_letters().values()) == {0}
