"""A pool growing, filling, emptying and shrinking, through the consumer on virtual time."""

from __future__ import annotations

import uuid

from events.schemas import (
    ClusterDecommissioning,
    ClusterIdle,
    ClusterReady,
    ClusterRequested,
    ClusterTerminated,
)
from tests.cluster_service.handlers_support import TTL, World, a_world_at_rest

# At rest -------------------------------------------------------------------------------------


def test_given_a_new_pool_then_one_cluster_is_requested_and_announced() -> None:
    world = World()
    (requested,) = world.of(ClusterRequested)
    assert (requested.cluster_profile, requested.reason) == ("small", "below_minimum")
    assert world.cloud.created == [requested.stack_name]
    stack = world.cloud.stacks[requested.stack_name]
    assert stack.token == f"emrcp-create-{requested.cluster_id}"
    assert stack.tags == {
        "emr-control-plane:pool": "small",
        "emr-control-plane:cluster-id": requested.cluster_id,
    }


def test_when_stack_and_emr_signals_arrive_then_the_cluster_is_ready_and_announced() -> None:
    world = a_world_at_rest()
    (ready,) = world.of(ClusterReady)
    (cluster,) = world.clusters()
    assert cluster.state == "READY"
    assert (ready.cluster_id, ready.slots) == (cluster.cluster_id, 2)
    assert ready.emr_cluster_id == world.cloud.stacks[cluster.stack_name].emr_cluster_id


def test_given_no_demand_then_ticks_keep_one_cluster() -> None:
    world = a_world_at_rest()
    for _ in range(30):
        world.advance(60)
        world.tick()
    assert [c.state for c in world.clusters()] == ["READY"]
    assert len(world.cloud.created) == 1


# Growing under a burst -----------------------------------------------------------------------


def test_a_burst_of_jobs_grows_the_pool_to_maximum_and_never_beyond() -> None:
    world = a_world_at_rest()
    for _ in range(12):
        world.send(world.submitted())
        assert len(world.alive()) <= 3
    assert len(world.alive()) == 3
    assert [e.reason for e in world.of(ClusterRequested)] == [
        "below_minimum",
        "queued_demand",
        "queued_demand",
    ]
    assert len(world.cloud.created) == 3
    assert world.app.get_pool("small").queued_jobs == 12


def test_new_clusters_become_ready_and_each_is_announced_once() -> None:
    world = a_world_at_rest()
    world.submit(6)
    world.bring_up(world.cloud.created[1:])
    assert len(world.serving()) == 3
    assert sorted(e.cluster_id for e in world.of(ClusterReady)) == sorted(
        c.cluster_id for c in world.clusters()
    )


# Slots ---------------------------------------------------------------------------------------


def test_job_allocated_fills_slots_and_takes_demand_away() -> None:
    world = a_world_at_rest()
    jobs = world.submit(2)
    placed = world.fill(jobs)
    (cluster,) = world.clusters()
    assert cluster.state == "BUSY" and cluster.free_slots == 0
    assert cluster.jobs == {job: slot for job, _, slot in placed}
    assert world.app.get_pool("small").queued_jobs == 0


def test_a_refused_allocation_is_published_as_allocation_rejected() -> None:
    world = a_world_at_rest()
    first, second = world.submit(2)
    (cluster,) = world.clusters()
    world.send(world.allocated(first, cluster.cluster_id, 0))
    world.send(world.allocated(second, cluster.cluster_id, 0, attempt=1))  # slot taken
    (rejected,) = world.of_rejections()
    assert (rejected.job_id, rejected.attempt) == (second, 1)
    assert rejected.cluster_id == cluster.cluster_id
    assert (rejected.reason, rejected.tenant_id) == ("no_free_slot", "tenant-1")
    assert world.app.get_pool("small").queued_jobs == 1, "the rejected job waits again"


def test_allocations_to_a_cluster_not_ready_or_unknown_are_rejected_with_their_reason() -> None:
    world = a_world_at_rest()
    jobs = world.submit(3)  # starts a second cluster, not ready yet
    coming = next(c for c in world.clusters() if c.state == "REQUESTED")
    world.send(world.allocated(jobs[0], coming.cluster_id, 0))
    world.send(world.allocated(jobs[1], str(uuid.uuid4()), 0))
    world.send(world.allocated(jobs[2], "not-a-cluster-id", 0))
    assert [r.reason for r in world.of_rejections()] == [
        "not_ready",
        "unknown_cluster",
        "unknown_cluster",
    ]


def test_a_finished_job_frees_its_slot_and_the_cluster_is_announced_idle() -> None:
    world = a_world_at_rest()
    jobs = world.submit(2)
    world.fill(jobs)
    (cluster,) = world.clusters()
    world.send(world.succeeded(jobs[0], cluster.cluster_id))
    world.send(world.cancelled(jobs[1], cluster.cluster_id))
    assert [e.free_slots for e in world.of(ClusterIdle)] == [1, 2]
    assert world.clusters()[0].state == "READY"


# Shrinking -----------------------------------------------------------------------------------


def test_after_the_queue_drains_and_the_ttl_passes_the_pool_shrinks_back_to_minimum() -> None:
    world = a_world_at_rest()
    jobs = world.submit(6)
    world.bring_up(world.cloud.created[1:])
    for job_id, cluster_id, _ in world.fill(jobs):
        world.send(world.succeeded(job_id, cluster_id))
    world.advance(TTL - 1)
    world.tick()
    assert len(world.serving()) == 3, "not idle for the TTL yet"
    world.advance(2)
    world.tick()
    leaving = world.of(ClusterDecommissioning)
    assert [e.reason for e in leaving] == ["idle_timeout", "idle_timeout"]
    deleted = [name for op, name, _ in world.cloud.calls if op == "delete"]
    assert len(deleted) == 2
    world.finish_deletes()
    assert sorted(e.cluster_id for e in world.of(ClusterTerminated)) == sorted(
        e.cluster_id for e in leaving
    )
    assert [c.state for c in world.clusters()] == ["READY"]
    assert len(world.app.list_clusters("small", include_retired=True)) == 3
    world.assert_no_leak()


# Draining ---------------------------------------------------------------------------------------


def test_a_drained_pool_lets_running_steps_finish_then_empties_and_starts_nothing() -> None:
    # Given two clusters running three jobs
    world = a_world_at_rest()
    jobs = world.submit(3)
    world.bring_up(world.cloud.created[1:])
    placed = world.fill(jobs)
    assert len(placed) == 3 and len(world.cloud.created) == 2
    # When the pool is drained (the README's teardown) and more work arrives
    world.change_thresholds(minimum=0, maximum=0)
    world.submit(2)
    # Then nothing starts and the busy clusters keep running their steps
    assert len(world.cloud.created) == 2
    assert sorted(c.state for c in world.alive()) == ["BUSY", "BUSY"]
    # And as the steps finish, each cluster goes, until GET /clusters lists none
    for job_id, cluster_id, _ in placed:
        world.send(world.succeeded(job_id, cluster_id))
    reasons = {e.reason for e in world.of(ClusterDecommissioning)}
    assert reasons == {"above_maximum"}
    world.finish_deletes()
    world.tick()
    assert world.clusters() == [] and world.cloud.stacks == {}
    assert len(world.cloud.created) == 2
    world.assert_no_leak()
