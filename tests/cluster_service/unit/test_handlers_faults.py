"""Failures, duplicates and reordering, through the consumer on virtual time (see test_handlers)."""

from __future__ import annotations

import itertools

import pytest

from backbone.messaging.consumer import Outcome
from events.schemas import (
    AllocationRejected,
    ClusterDecommissioning,
    ClusterFailed,
    ClusterReady,
    ClusterRequested,
    ClusterTerminated,
    IntegrationEvent,
)
from tests.cluster_service.handlers_support import World, a_world_at_rest


def stored(world: World) -> int:
    return world.app.recorder.max_notification_id() or 0


# A cluster that fails --------------------------------------------------------------------------


def test_a_stack_that_fails_to_create_is_reported_replaced_and_deleted() -> None:
    # Given a second cluster coming for a queued job
    world = a_world_at_rest()
    world.submit(3)
    failing = world.cloud.created[1]
    # When its stack fails and rolls back
    world.stack(failing, "CREATE_IN_PROGRESS")
    world.stack(failing, "CREATE_FAILED", "Instance type not available")
    world.stack(failing, "ROLLBACK_COMPLETE")
    # Then it is reported failed, a replacement is asked for, and its stack deleted
    (failed,) = world.of(ClusterFailed)
    assert failed.reason == "stack CREATE_FAILED: Instance type not available"
    assert failed.lost_job_ids == ()
    assert world.of(ClusterRequested)[-1].reason == "replacement"
    assert ("delete", failing) in [(op, name) for op, name, _ in world.cloud.calls]
    assert len(world.alive()) == 2
    world.finish_deletes()
    assert [e.cluster_id for e in world.of(ClusterTerminated)] == [failed.cluster_id]
    world.assert_no_leak()


def test_an_emr_cluster_lost_mid_job_reports_its_jobs_and_is_replaced() -> None:
    # Given both slots of the only cluster running jobs
    world = a_world_at_rest()
    jobs = world.submit(2)
    world.fill(jobs)
    (lost,) = world.clusters()
    # When EMR terminates it with errors
    world.emr(lost.stack_name, "TERMINATED_WITH_ERRORS", "INTERNAL_ERROR")
    # Then ClusterFailed names the jobs it ran; a replacement comes; its stack is deleted
    (failed,) = world.of(ClusterFailed)
    assert failed.cluster_id == lost.cluster_id
    assert failed.lost_job_ids == tuple(sorted(jobs))
    assert world.of(ClusterRequested)[-1].reason == "replacement"
    assert world.cloud.stacks[lost.stack_name].status == "DELETE_IN_PROGRESS"
    # And when the job service requeues the lost jobs and the stack goes, nothing leaks
    for job in jobs:
        world.send(world.requeued(job, lost.cluster_id))
    assert world.app.get_pool("small").queued_jobs == 2
    world.finish_deletes()
    assert [e.cluster_id for e in world.of(ClusterTerminated)] == [lost.cluster_id]
    assert len(world.alive()) == 1
    world.assert_no_leak()


def test_an_unhealthy_cluster_is_decommissioned_and_replaced() -> None:
    world = a_world_at_rest()
    (sick,) = world.clusters()
    world.send(world.unhealthy(sick.cluster_id))
    (leaving,) = world.of(ClusterDecommissioning)
    assert (leaving.cluster_id, leaving.reason) == (sick.cluster_id, "unhealthy")
    assert world.cloud.stacks[sick.stack_name].status == "DELETE_IN_PROGRESS"
    assert world.of(ClusterRequested)[-1].reason == "below_minimum"


# Duplicates and reordering ---------------------------------------------------------------------


def test_every_event_delivered_twice_changes_nothing_the_second_time() -> None:
    world = World()
    (stack,) = world.cloud.created
    envelopes = [world.stack_event(stack, "CREATE_IN_PROGRESS")]
    envelopes += [world.emr_event(stack, s) for s in ("STARTING", "BOOTSTRAPPING", "WAITING")]
    envelopes.append(world.stack_event(stack, "CREATE_COMPLETE"))
    for envelope in envelopes:
        assert world.deliver(envelope) is Outcome.HANDLED
        before = stored(world)
        assert world.deliver(envelope) is Outcome.DUPLICATE
        assert stored(world) == before
    jobs = [world.submitted() for _ in range(3)]
    cluster_id = world.clusters()[0].cluster_id
    job_events: list[IntegrationEvent] = [*jobs, world.allocated(jobs[0].job_id, cluster_id, 0)]
    job_events.append(world.succeeded(jobs[0].job_id, cluster_id))
    for event in job_events:
        assert world.send(event) is Outcome.HANDLED
        before = stored(world)
        assert world.send(event) is Outcome.DUPLICATE
        assert stored(world) == before
    assert world.app.get_pool("small").queued_jobs == 2
    assert len(world.of(ClusterReady)) == 1


def test_late_and_early_emr_and_stack_signals_never_move_a_cluster_back() -> None:
    world = World()
    (stack,) = world.cloud.created
    world.emr(stack, "WAITING")
    for late in ("CREATE_IN_PROGRESS",):
        world.stack(stack, late)
    world.emr(stack, "STARTING")
    world.emr(stack, "BOOTSTRAPPING")
    world.stack(stack, "CREATE_COMPLETE")
    assert [c.state for c in world.clusters()] == ["READY"]
    assert len(world.of(ClusterReady)) == 1


def test_a_stack_gone_before_emr_says_terminated_ends_the_cluster_once() -> None:
    world = a_world_at_rest()
    (cluster,) = world.clusters()
    world.change_thresholds(minimum=0)
    world.advance(601)
    world.tick()
    world.stack(cluster.stack_name, "DELETE_COMPLETE")
    world.deliver(world.aws_emr(cluster, "TERMINATED"))
    assert [e.cluster_id for e in world.of(ClusterTerminated)] == [cluster.cluster_id]


ONE_JOB = ["submitted", "allocated-1", "requeued-1", "allocated-2", "succeeded-2"]


@pytest.mark.parametrize("order", list(itertools.permutations(ONE_JOB)), ids="-".join)
def test_a_jobs_events_in_any_order_leave_no_demand_and_no_slot_held(order: tuple[str]) -> None:
    world = a_world_at_rest()
    cluster_id = world.clusters()[0].cluster_id
    job = "job-x"
    events = {
        "submitted": world.submitted(job),
        "allocated-1": world.allocated(job, cluster_id, 0, attempt=1),
        "requeued-1": world.requeued(job, cluster_id, attempt=1),
        "allocated-2": world.allocated(job, cluster_id, 1, attempt=2),
        "succeeded-2": world.succeeded(job, cluster_id, attempt=2),
    }
    for name in order:
        world.send(events[name])
    (cluster,) = world.clusters()
    assert (cluster.jobs, cluster.state) == ({}, "READY")
    assert world.app.get_pool("small").queued_jobs == 0
    assert world.of(AllocationRejected) == []


def test_a_cancel_that_overtakes_its_submission_leaves_no_demand() -> None:
    world = a_world_at_rest()
    late = world.submitted("job-late")
    world.send(world.cancelled("job-late"))
    world.send(late)
    assert world.app.get_pool("small").queued_jobs == 0
    assert len(world.cloud.created) == 1


def test_a_non_final_failure_frees_the_slot_and_the_job_waits_again() -> None:
    world = a_world_at_rest()
    (job,) = world.submit(1)
    world.fill([job])
    cluster_id = world.clusters()[0].cluster_id
    world.send(world.failed(job, cluster_id, final=False))
    assert world.clusters()[0].jobs == {}
    assert world.app.get_pool("small").queued_jobs == 1
    world.send(world.failed(job, None, final=True))
    assert world.app.get_pool("small").queued_jobs == 0


# Events about what is not ours -------------------------------------------------------------------


def test_stack_and_emr_events_of_others_are_dropped_without_a_trace() -> None:
    world = a_world_at_rest()
    before = stored(world)
    world.cloud.add_stack("someone-elses-stack", {}, "CREATE_IN_PROGRESS")
    assert world.stack("someone-elses-stack", "CREATE_COMPLETE") is Outcome.HANDLED
    foreign = {"clusterId": "j-NOTOURS", "state": "WAITING", "name": "analytics"}
    assert world.deliver(world.aws("aws.emr", "EMR Cluster State Change", foreign)) is (
        Outcome.HANDLED
    )
    assert stored(world) == before


def test_an_emr_cluster_emr_cannot_describe_yet_is_placed_by_its_name_and_stack() -> None:
    world = World()
    (stack,) = world.cloud.created
    world.cloud.inspector.describe = lambda emr_cluster_id: None  # type: ignore[method-assign]
    world.emr(stack, "WAITING")
    assert [c.state for c in world.clusters()] == ["READY"]


def test_an_emr_cluster_named_like_ours_but_not_our_stacks_is_not_taken_for_ours() -> None:
    world = World()
    (cluster,) = world.clusters()
    world.cloud.inspector.describe = lambda emr_cluster_id: None  # type: ignore[method-assign]
    impostor = {
        "clusterId": "j-IMPOSTOR",
        "state": "WAITING",
        "name": f"emrcp-small-{cluster.cluster_id}",
    }
    world.deliver(world.aws("aws.emr", "EMR Cluster State Change", impostor))
    assert [c.state for c in world.clusters()] == ["REQUESTED"]
