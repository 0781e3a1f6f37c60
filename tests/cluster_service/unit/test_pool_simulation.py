"""The pool on virtual time: decisions applied, clusters driven through AWS's states, jobs run."""

from __future__ import annotations

from datetime import timedelta
from typing import get_args

from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st

from cluster_service.domain.lifecycle import SERVING, ClusterState
from events.schemas.aws import EmrClusterState, StackStatus
from tests.cluster_service.support import World, emr_id_of

S = ClusterState
TTL = 600


def a_world_at_rest() -> World:
    """min 1, max 3, 2 slots per cluster, TTL 10 minutes: one cluster READY."""
    world = World.of(minimum=1, maximum=3, ttl=TTL)
    world.tick(10)
    return world


def test_given_no_demand_then_one_cluster_is_kept_at_rest() -> None:
    world = a_world_at_rest()
    world.tick(60)
    assert (world.non_terminal, world.serving) == (1, 1)
    assert world.starts == {"below_minimum": 1}
    assert world.decommissions == {}


def test_under_a_burst_the_pool_grows_to_maximum_and_never_beyond() -> None:
    world = a_world_at_rest()
    world.submit(40)
    world.tick(8)
    assert world.non_terminal == 3
    world.run_until_drained()
    assert world.peak == 3, "World asserts after every decision that it never reaches 4"
    assert len(world.done) == 40
    assert world.starts == {"below_minimum": 1, "queued_demand": 2}


def test_once_the_queue_drains_the_pool_shrinks_back_to_minimum_after_the_ttl() -> None:
    world = a_world_at_rest()
    world.submit(40)
    world.run_until_drained()
    first_idle = min(c.idle_since for c in world.clusters.values() if c.idle_since)
    while world.now < first_idle + timedelta(seconds=TTL):
        world.tick()
        assert world.serving == 3, "no cluster has been idle for the TTL yet"
    world.tick(TTL // 60 + 2)
    assert (world.non_terminal, world.serving) == (1, 1)
    assert world.decommissions == {"idle_timeout": 2}
    gone = [c for c in world.clusters.values() if c.state is S.TERMINATED]
    assert len(gone) == 2 and all(c.stack_deleted for c in gone)


def test_a_stack_that_fails_to_create_is_replaced_and_cleaned_up() -> None:
    world = a_world_at_rest()
    world.aws.failing_creates = 1
    world.submit(4)
    world.run_until_drained()
    failed = [c for c in world.clusters.values() if c.state is S.FAILED]
    assert len(failed) == 1
    assert failed[0].failure_reason == "stack CREATE_FAILED: Instance type not available"
    assert failed[0].stack_deleted, "invariant 6: the rolled-back stack is deleted"
    assert world.decommissions["failed"] == 1
    assert world.starts["replacement"] == 1
    assert len(world.done) == 4 and world.lost == []


def test_a_cluster_that_terminates_with_errors_mid_job_is_replaced_and_its_jobs_reported_lost() -> (
    None
):
    world = a_world_at_rest()
    world.submit(2)
    world.tick()
    (busy,) = [c for c in world.clusters.values() if c.state is S.BUSY]
    running = sorted(busy.jobs)
    busy.on_emr_state(emr_id_of(busy), "TERMINATED_WITH_ERRORS", world.now, "STEP_FAILURE")
    assert (busy.state, busy.lost_job_ids) == (S.FAILED, tuple(running))
    world.run_until_drained()
    assert sorted(world.lost) == running
    assert sorted(world.done) == ["job-1", "job-2"]
    assert world.starts["replacement"] == 1
    assert busy.stack_deleted
    assert world.serving == 1


def test_demand_that_arrives_while_a_stack_is_being_deleted_waits_for_the_delete() -> None:
    world = World.of(minimum=1, maximum=2, ttl=TTL, slots=1)
    world.submit(8)
    world.run_until_drained()
    world.now += timedelta(seconds=TTL)
    world.tick()
    assert world.count(frozenset({S.DECOMMISSIONING})) == 1
    world.submit(3)
    world.tick()
    assert world.non_terminal == 2, "the deleting cluster still counts toward MAXIMUM"
    world.run_until_drained()
    assert world.peak == 2


# Any sequence of demand, time and signals --------------------------------------------------------

AWS_NOISE = st.one_of(
    st.tuples(st.just("emr"), st.sampled_from(sorted(get_args(EmrClusterState)))),
    st.tuples(st.just("stack"), st.sampled_from(sorted(get_args(StackStatus)))),
)
Mishap = tuple[str, int, tuple[str, str] | None] | None
MISHAPS = st.one_of(
    st.none(),
    st.tuples(st.just("fail_create"), st.just(0), st.none()),
    st.tuples(st.just("emr_error"), st.integers(0, 20), st.none()),
    st.tuples(st.just("noise"), st.integers(0, 20), AWS_NOISE),
)
STEPS = st.lists(
    st.tuples(
        st.sampled_from([0, 0, 1, 3, 8]),  # jobs submitted
        st.sampled_from([0, 60, 300, 300, TTL, 2 * TTL]),  # seconds that pass before the tick
        MISHAPS,
    ),
    max_size=40,
)


def _mishap(world: World, mishap: Mishap) -> None:
    """A failed create, an EMR cluster lost, or any AWS state, duplicated or out of order."""
    live = [c for c in world.clusters.values() if c.state not in (S.FAILED, S.TERMINATED)]
    if mishap is None:
        return
    kind, index, signal = mishap
    if kind == "fail_create":
        world.aws.failing_creates += 1
    elif live:
        c = live[index % len(live)]
        source, state = signal or ("emr", "TERMINATED_WITH_ERRORS")
        if source == "emr":
            c.on_emr_state(emr_id_of(c), state, world.now)
        else:
            c.on_stack_status(state, world.now)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    minimum=st.integers(0, 3),
    extra=st.integers(0, 3),
    ttl=st.sampled_from([0, 60, TTL]),
    slots=st.integers(1, 3),
    pace=st.integers(1, 4),
    steps=STEPS,
)
def test_for_any_demand_time_and_signals_the_pool_stays_within_its_limits(
    minimum: int, extra: int, ttl: int, slots: int, pace: int, steps: list[tuple[int, int, Mishap]]
) -> None:
    maximum = max(1, minimum + extra)
    world = World.of(minimum=minimum, maximum=maximum, ttl=ttl, slots=slots)
    world.aws.pace = pace
    pressure = 0
    for jobs, seconds, mishap in steps:
        world.submit(jobs)
        world.now += timedelta(seconds=seconds)
        _mishap(world, mishap)
        pressure = max(pressure, len(world.queue) * world.count(frozenset({S.DECOMMISSIONING})))
        world.tick()
        assert world.non_terminal <= maximum  # World also checks after every decision
    target(pressure, label="queued jobs while a stack is being deleted")
    world.aws.failing_creates = 0
    world.run_until_drained()
    world.tick((ttl // 60 + 8) * pace)  # settled: nothing queued, nothing failing, TTLs passed
    for _ in range(5):
        world.tick()
        assert world.live >= minimum
    assert world.serving == world.non_terminal == minimum
    assert all(c.state in SERVING or c.stack_deleted for c in world.clusters.values())
