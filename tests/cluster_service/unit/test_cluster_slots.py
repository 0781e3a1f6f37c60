"""Slot bookkeeping: a slot runs at most one job (invariant 3), and refusals say why."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cluster_service.domain import errors
from cluster_service.domain.errors import (
    AllocationRefused,
    ClusterDecommissioned,
    ClusterLost,
    ClusterNotReady,
    JobAlreadyAllocated,
    NoSuchSlot,
    SlotTaken,
)
from cluster_service.domain.lifecycle import ClusterState
from events.schemas.clusters import RejectionReason
from tests.cluster_service.support import T0
from tests.cluster_service.unit.test_cluster_lifecycle import (
    EMR,
    a_cluster,
    events_of,
    ready_cluster,
)

S = ClusterState


def test_given_a_free_slot_when_allocated_then_the_job_holds_it() -> None:
    c = ready_cluster(slots=2)
    c.allocate("job-1", 1, T0)
    assert (c.jobs, c.free_slots, c.busy_slots) == ({"job-1": 1}, 1, 1)


def test_given_a_taken_slot_when_another_job_asks_for_it_then_slot_taken() -> None:
    c = ready_cluster()
    c.allocate("job-1", 0, T0)
    with pytest.raises(SlotTaken, match="runs job job-1") as refused:
        c.allocate("job-2", 0, T0)
    assert refused.value.reason == "no_free_slot"
    assert c.jobs == {"job-1": 0}


def test_a_duplicated_allocation_is_a_no_op() -> None:
    c = ready_cluster()
    c.allocate("job-1", 0, T0)
    c.collect_events()
    c.allocate("job-1", 0, T0 + timedelta(seconds=3))
    assert events_of(c) == []


def test_a_job_that_holds_one_slot_cannot_take_a_second() -> None:
    c = ready_cluster()
    c.allocate("job-1", 0, T0)
    with pytest.raises(JobAlreadyAllocated):
        c.allocate("job-1", 1, T0)


@pytest.mark.parametrize("slot", [-1, 2, 99])
def test_a_slot_outside_the_cluster_is_refused(slot: int) -> None:
    with pytest.raises(NoSuchSlot):
        ready_cluster(slots=2).allocate("job-1", slot, T0)


def test_a_cluster_still_starting_refuses_jobs_as_not_ready() -> None:
    c = a_cluster()
    c.on_emr_state(EMR, "BOOTSTRAPPING", T0)
    with pytest.raises(ClusterNotReady) as refused:
        c.allocate("job-1", 0, T0)
    assert refused.value.reason == "not_ready"


def test_a_decommissioning_cluster_refuses_jobs() -> None:
    c = ready_cluster()
    c.decommission("idle_timeout", T0)
    with pytest.raises(ClusterDecommissioned) as refused:
        c.allocate("job-1", 0, T0)
    assert refused.value.reason == "decommissioning"


def test_a_terminated_cluster_refuses_jobs_as_decommissioning() -> None:
    c = ready_cluster()
    c.decommission("idle_timeout", T0)
    c.on_stack_status("DELETE_COMPLETE", T0)
    with pytest.raises(ClusterDecommissioned):
        c.allocate("job-1", 0, T0)


def test_a_failed_cluster_refuses_jobs_even_a_duplicate_of_one_it_lost() -> None:
    c = ready_cluster()
    c.allocate("job-1", 0, T0)
    c.on_emr_state(EMR, "TERMINATED_WITH_ERRORS", T0)
    with pytest.raises(ClusterLost):
        c.allocate("job-1", 0, T0)


def test_releasing_a_job_the_cluster_does_not_hold_is_a_no_op() -> None:
    c = ready_cluster()
    c.allocate("job-1", 0, T0)
    c.collect_events()
    c.release("job-9", T0)
    c.release("job-1", T0)
    c.release("job-1", T0)
    assert events_of(c) == ["SlotReleased"]
    assert c.state is S.READY


def test_idle_since_is_the_time_the_last_job_ended() -> None:
    c = ready_cluster(slots=2)
    c.allocate("job-1", 0, T0)
    c.allocate("job-2", 1, T0)
    c.release("job-1", T0 + timedelta(minutes=5))
    assert (c.state, c.idle_since) == (S.BUSY, None)
    c.release("job-2", T0 + timedelta(minutes=7))
    assert (c.state, c.idle_since) == (S.READY, T0 + timedelta(minutes=7))


def test_every_refusal_maps_to_a_rejection_reason_the_schema_knows() -> None:
    refusals = [
        cls
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, AllocationRefused)
    ]
    refusals.remove(AllocationRefused)
    assert len(refusals) == 6
    assert {cls.reason for cls in refusals} <= set(get_args(RejectionReason))
    assert set(get_args(errors.RejectionReason)) == set(get_args(RejectionReason))


OPS = st.lists(
    st.tuples(st.sampled_from(["allocate", "release"]), st.integers(0, 5), st.integers(-1, 3)),
    max_size=40,
)


@given(OPS)
def test_for_any_allocations_and_releases_a_slot_never_runs_two_jobs(
    ops: list[tuple[str, int, int]],
) -> None:
    c = ready_cluster(slots=3)
    for op, job, slot in ops:
        if op == "allocate":
            with contextlib.suppress(AllocationRefused):
                c.allocate(f"job-{job}", slot, T0)
        else:
            c.release(f"job-{job}", T0)
        slots = list(c.jobs.values())
        assert len(slots) == len(set(slots)) <= c.slots
        assert all(0 <= s < c.slots for s in slots)
        assert (c.state is S.BUSY) == bool(c.jobs)
