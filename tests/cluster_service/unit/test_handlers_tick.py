"""The tick on virtual time: SSM thresholds, events that never came, failed calls, orphans."""

from __future__ import annotations

import pytest

from cluster_service.adapters import StackInfo
from cluster_service.application import TickIncomplete
from events.schemas import (
    ClusterReady,
    ClusterRequested,
    ClusterTerminated,
    Heartbeat,
    OrphanStackFound,
    PoolThresholdsChanged,
)
from tests.cluster_service.handlers_support import World, a_world_at_rest

QUIET = 301
"""Seconds after which the tick asks AWS about a cluster (reconcile_after is 300)."""
ORPHAN = "emrcp-small-0123456789ab"


# Thresholds from SSM ---------------------------------------------------------------------------


def test_thresholds_changed_in_ssm_are_applied_once_and_published() -> None:
    world = a_world_at_rest()
    world.ssm.set("small", maximum=5, idle_ttl_seconds=120)
    world.tick()
    changed = world.of(PoolThresholdsChanged)[-1]
    assert (changed.cluster_profile, changed.minimum, changed.maximum) == ("small", 1, 5)
    assert changed.idle_ttl_seconds == 120
    assert world.app.get_pool("small").changed_by == "ssm"
    count = len(world.of(PoolThresholdsChanged))
    world.tick()
    assert len(world.of(PoolThresholdsChanged)) == count


def test_raising_the_minimum_in_ssm_starts_clusters_at_the_next_tick() -> None:
    world = a_world_at_rest()
    world.ssm.set("small", minimum=2)
    world.tick()
    assert world.of(ClusterRequested)[-1].reason == "below_minimum"
    assert len(world.alive()) == 2


@pytest.mark.parametrize(
    "values",
    [
        {"maximum": "many"},
        {"minimum": "-1"},
        {"maximum": "0"},
        {"minimum": "4"},
        {"idle_ttl_seconds": "1.5"},
    ],
    ids=str,
)
def test_invalid_thresholds_in_ssm_are_ignored(values: dict[str, str]) -> None:
    world = a_world_at_rest()
    count = len(world.of(PoolThresholdsChanged))
    world.ssm.set("small", **values)
    world.tick()
    assert len(world.of(PoolThresholdsChanged)) == count
    pool = world.app.get_pool("small")
    assert (pool.minimum, pool.maximum, pool.idle_ttl_seconds, pool.changed_by) == (
        1,
        3,
        600,
        "api",
    )


def test_a_change_through_the_api_stands_until_ssm_is_edited_again() -> None:
    world = a_world_at_rest()
    world.ssm.set("small", maximum=5)
    world.tick()
    world.change_thresholds(maximum=4)
    world.tick()
    assert world.app.get_pool("small").maximum == 4
    world.ssm.set("small", maximum=6)
    world.tick()
    assert world.app.get_pool("small").maximum == 6


# Events that never came, calls that failed -----------------------------------------------------


def test_a_cluster_that_came_up_unannounced_is_found_ready_by_the_tick() -> None:
    world = World()
    (stack,) = world.cloud.created
    world.cloud.set_emr_state(stack, "WAITING")
    world.cloud.set_status(stack, "CREATE_COMPLETE")
    world.advance(QUIET)
    world.tick()
    assert [c.state for c in world.clusters()] == ["READY"]
    (ready,) = world.of(ClusterReady)
    assert ready.emr_cluster_id == world.cloud.stacks[stack].emr_cluster_id


def test_a_create_stack_call_that_failed_is_made_again_by_the_tick_and_makes_one_stack() -> None:
    world = a_world_at_rest()
    world.cloud.failures = 1
    world.submit(3)
    assert len(world.cloud.stacks) == 1, "the call failed after the save"
    world.tick()
    assert len(world.cloud.stacks) == 1, "not quiet for reconcile_after yet"
    world.advance(QUIET)
    world.tick()
    (cluster,) = [c for c in world.clusters() if c.state == "REQUESTED"]
    assert sorted(world.cloud.stacks) == sorted(c.stack_name for c in world.clusters())
    assert world.cloud.stacks[cluster.stack_name].token == f"emrcp-create-{cluster.cluster_id}"
    world.tick()
    assert len(world.cloud.created) == 2 and len(world.cloud.stacks) == 2


def test_a_deletion_that_was_never_announced_ends_the_cluster_at_the_tick() -> None:
    world = a_world_at_rest()
    (cluster,) = world.clusters()
    world.change_thresholds(minimum=0)
    world.advance(601)
    world.tick()
    world.cloud.set_status(cluster.stack_name, "DELETE_COMPLETE")
    world.advance(QUIET)
    world.tick()
    assert [e.cluster_id for e in world.of(ClusterTerminated)] == [cluster.cluster_id]
    assert world.clusters() == []


def test_a_delete_that_failed_is_asked_again_with_a_new_token() -> None:
    world = a_world_at_rest()
    (cluster,) = world.clusters()
    world.change_thresholds(minimum=0)
    world.advance(601)
    world.tick()
    world.stack(cluster.stack_name, "DELETE_FAILED", "resource in use")
    deletes = [token for op, _, token in world.cloud.calls if op == "delete"]
    assert deletes == [f"emrcp-delete-{cluster.cluster_id}-0"]
    world.advance(QUIET)
    world.tick()
    deletes = [token for op, _, token in world.cloud.calls if op == "delete"]
    assert len(deletes) == 2 and deletes[0] != deletes[1]
    assert world.cloud.stacks[cluster.stack_name].status == "DELETE_IN_PROGRESS"


def test_a_tick_that_cannot_list_stacks_still_runs_the_policy_and_says_it_is_incomplete() -> None:
    world = a_world_at_rest()
    world.change_thresholds(minimum=2)
    world.cloud.stacks_tagged = _broken  # type: ignore[method-assign]
    with pytest.raises(TickIncomplete) as raised:
        world.tick()
    assert raised.value.report.errors == ["stacks"]
    assert len(world.alive()) == 2, "the policy still ran"


def _broken(tag_key: str) -> list[StackInfo]:
    raise ConnectionError("CloudFormation is unreachable")


# Orphans ---------------------------------------------------------------------------------------


def test_a_stack_of_the_pool_that_no_cluster_owns_is_reported_once() -> None:
    world = a_world_at_rest()
    world.cloud.add_stack(ORPHAN, {"emr-control-plane:pool": "small"}, "CREATE_COMPLETE")
    world.tick()
    world.tick()
    (orphan,) = world.of(OrphanStackFound)
    assert (orphan.stack_name, orphan.stack_status) == (ORPHAN, "CREATE_COMPLETE")
    assert orphan.cluster_profile == "small"
    assert orphan.stack_id == world.cloud.stacks[ORPHAN].stack_id
    assert ORPHAN in world.cloud.stacks, "deleting orphans is off by default"


def test_orphans_are_deleted_when_configured() -> None:
    world = a_world_at_rest(delete_orphans=True)
    world.cloud.add_stack(ORPHAN, {"emr-control-plane:pool": "small"}, "ROLLBACK_COMPLETE")
    world.tick()
    assert world.cloud.stacks[ORPHAN].status == "DELETE_IN_PROGRESS"
    world.cloud.set_status(ORPHAN, "DELETE_COMPLETE")
    world.tick()
    assert len(world.of(OrphanStackFound)) == 1


def test_the_pools_own_stacks_and_untagged_stacks_are_never_orphans() -> None:
    world = a_world_at_rest()
    world.submit(3)
    world.cloud.add_stack("emrcp-small-ffffffffffff", {}, "CREATE_COMPLETE")
    world.tick()
    assert world.of(OrphanStackFound) == []


# Heartbeats ------------------------------------------------------------------------------------


def test_each_tick_beats_under_the_cluster_service_even_when_part_of_it_fails() -> None:
    world = a_world_at_rest()
    world.tick()
    # When the next tick cannot list the stacks
    world.cloud.stacks_tagged = _broken  # type: ignore[method-assign]
    world.advance(60)
    with pytest.raises(TickIncomplete):
        world.tick()
    world.relay()
    # Then both ticks beat, in order, as the cluster service
    beats = world.of(Heartbeat)
    assert [(b.service, b.sequence) for b in beats][-2:] == [
        ("cluster-service", 1),
        ("cluster-service", 2),
    ]


# MINIMUM schedules -------------------------------------------------------------------------------


def test_the_tick_applies_the_schedules_hour_and_announces_the_effective_minimum() -> None:
    world = a_world_at_rest()
    hours = [0] * 168
    hours[(world.now.weekday() * 24 + world.now.hour + 1) % 168] = 3  # the next hour, UTC
    world.app.set_schedule("small", "UTC", hours, "api", world.now)
    assert len(world.alive()) == 1
    world.advance(3600)
    world.tick()
    assert len(world.alive()) == 3
    announced = world.of(PoolThresholdsChanged)[-1]
    assert (announced.minimum, announced.effective_minimum) == (1, 3)
    assert announced.schedule_time_zone == "UTC"


def test_a_threshold_change_and_the_schedules_follow_up_announce_the_same_minimum() -> None:
    # Both are saved at once with the same time: whichever the monitor orders last must agree.
    world = a_world_at_rest()
    world.change_thresholds(minimum=3)
    world.app.set_schedule("small", "UTC", [2] * 168, "api", world.now)
    world.change_thresholds(minimum=0)
    last_two = world.of(PoolThresholdsChanged)[-2:]
    assert [(e.minimum, e.effective_minimum) for e in last_two] == [(0, 2), (0, 2)]
    assert last_two[0].occurred_at == last_two[1].occurred_at
