"""The cluster-lifecycle bench measures a whole lifecycle, and only the cluster service's requests.

One lifecycle (about 20 virtual minutes) runs once for the module on the shared emulator.
"""

from __future__ import annotations

import pytest

from bench.cluster_lifecycle import SERVICES, Lifecycle, measure
from local_runtime.emulator import Emulator

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def lifecycle(emulator: Emulator) -> Lifecycle:
    # Given one job for a pool that keeps no cluster warm
    # When the bench runs one cluster lifecycle and counts the cluster service's requests
    return measure(emulator)


def test_the_job_succeeds_and_the_cluster_ends_terminated_with_its_stack_deleted(
    lifecycle: Lifecycle,
) -> None:
    # Then the lifecycle really ran to its end
    assert lifecycle.job_status == "succeeded"
    assert lifecycle.cluster.state == "TERMINATED"
    assert lifecycle.cluster.stack_deleted
    assert lifecycle.stack_status == "DELETE_COMPLETE"


def test_exactly_one_stack_is_created_and_deleted(lifecycle: Lifecycle) -> None:
    assert lifecycle.requests["cloudformation.CreateStack"] == 1
    assert lifecycle.requests["cloudformation.DeleteStack"] == 1


def test_every_tick_reads_the_stacks_and_the_thresholds(lifecycle: Lifecycle) -> None:
    # Then the Ticks' reconciliation is counted: one DescribeStacks and one SSM read per Tick
    assert lifecycle.ticks >= 15
    assert lifecycle.requests["cloudformation.DescribeStacks"] == lifecycle.ticks
    assert lifecycle.requests["ssm.GetParametersByPath"] == lifecycle.ticks


def test_no_request_of_the_driver_the_job_service_or_the_pipeline_is_counted(
    lifecycle: Lifecycle,
) -> None:
    operations = set(lifecycle.requests)
    assert {name.partition(".")[0] for name in operations} <= set(SERVICES)
    assert "emr.RunJobFlow" not in operations  # the driver's
    assert "emr.AddJobFlowSteps" not in operations  # the job service's
    assert {name for name in operations if name.startswith("events.")} == {"events.PutEvents"}
    assert lifecycle.total() == sum(lifecycle.total(f"{s}.") for s in SERVICES)


def test_the_cluster_service_publishes_and_saves_what_it_decides(lifecycle: Lifecycle) -> None:
    # Then its relay's PutEvents and its event store's writes are counted too
    assert lifecycle.requests["events.PutEvents"] >= 1
    assert lifecycle.requests["dynamodb.TransactWriteItems"] >= 1
    assert lifecycle.write_units > 0
