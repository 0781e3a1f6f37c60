"""The Cluster aggregate's lifecycle: every transition, and the rule that it only moves forward."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import get_args
from uuid import UUID

import pytest
from eventsourcing.application import Application
from hypothesis import given
from hypothesis import strategies as st

from cluster_service.domain.cluster import Cluster
from cluster_service.domain.errors import EmrClusterMismatch, UnknownAwsState
from cluster_service.domain.lifecycle import RANK, TERMINAL, ClusterState
from events.schemas.aws import EmrClusterState, StackStatus
from tests.cluster_service.support import T0

S = ClusterState
CID = UUID("7b0c6a52-38f4-4b5e-9a51-0c6f1e2d3a4b")
EMR = "j-2AXXXXXXGAPLF"


def a_cluster(slots: int = 2) -> Cluster:
    return Cluster.request(CID, "small", slots, "below_minimum", T0)


def ready_cluster(slots: int = 2) -> Cluster:
    c = a_cluster(slots)
    c.on_stack_status("CREATE_IN_PROGRESS", T0)
    for state in ("STARTING", "BOOTSTRAPPING", "WAITING"):
        c.on_emr_state(EMR, state, T0 + timedelta(minutes=1))
    return c


def events_of(c: Cluster) -> list[str]:
    return [type(e).__name__ for e in c.collect_events()]


# Identity ------------------------------------------------------------------------------------


def test_a_requested_cluster_derives_its_stack_name_and_token_from_its_id() -> None:
    c = a_cluster()
    assert c.state is S.REQUESTED
    assert c.stack_name == "emrcp-small-7b0c6a5238f4"
    assert re.fullmatch(r"[A-Za-z][-A-Za-z0-9]{0,127}", c.stack_name)
    assert c.client_request_token == f"emrcp-create-{CID}"
    assert re.fullmatch(r"[a-zA-Z0-9][-a-zA-Z0-9]{0,127}", c.client_request_token)


def test_a_retried_request_for_the_same_id_gives_the_same_stack_and_token() -> None:
    again = Cluster.request(CID, "small", 2, "below_minimum", T0 + timedelta(seconds=5))
    assert (again.stack_name, again.client_request_token) == (
        a_cluster().stack_name,
        a_cluster().client_request_token,
    )


def test_a_profile_name_that_cannot_be_in_a_stack_name_is_refused() -> None:
    with pytest.raises(ValueError, match="name"):
        Cluster.request(CID, "Small_Profile", 2, "below_minimum", T0)


def test_events_carry_the_time_given_not_the_clock() -> None:
    c = ready_cluster()
    assert c.created_on == T0
    assert c.modified_on == T0 + timedelta(minutes=1)
    assert c.idle_since == T0 + timedelta(minutes=1)


# The happy path, one transition at a time -----------------------------------------------------


def test_given_requested_when_the_stack_is_being_created_then_provisioning() -> None:
    c = a_cluster()
    c.on_stack_status("CREATE_IN_PROGRESS", T0)
    assert c.state is S.PROVISIONING


@pytest.mark.parametrize(
    ("emr_state", "expected"),
    [("STARTING", S.STARTING), ("BOOTSTRAPPING", S.BOOTSTRAPPING), ("WAITING", S.READY)],
)
def test_given_provisioning_when_emr_moves_then_the_cluster_follows(
    emr_state: str, expected: ClusterState
) -> None:
    c = a_cluster()
    c.on_stack_status("CREATE_IN_PROGRESS", T0)
    c.on_emr_state(EMR, emr_state, T0)
    assert c.state is expected
    assert c.emr_cluster_id == EMR


def test_given_ready_when_a_job_takes_a_slot_then_busy_and_back_to_ready_when_it_ends() -> None:
    c = ready_cluster()
    c.allocate("job-1", 0, T0 + timedelta(minutes=2))
    assert (c.state, c.idle_since) == (S.BUSY, None)
    c.release("job-1", T0 + timedelta(minutes=9))
    assert (c.state, c.idle_since) == (S.READY, T0 + timedelta(minutes=9))


def test_given_ready_when_decommissioned_then_terminated_once_the_stack_is_deleted() -> None:
    c = ready_cluster()
    c.decommission("idle_timeout", T0 + timedelta(hours=1))
    assert c.state is S.DECOMMISSIONING
    assert c.stack_delete_pending
    c.on_emr_state(EMR, "TERMINATING", T0 + timedelta(hours=1))
    c.on_emr_state(EMR, "TERMINATED", T0 + timedelta(hours=1), "USER_REQUEST")
    assert c.state is S.DECOMMISSIONING, "EMR going away is expected while decommissioning"
    c.on_stack_status("DELETE_COMPLETE", T0 + timedelta(hours=1))
    assert (c.state, c.stack_deleted, c.stack_delete_pending) == (S.TERMINATED, True, False)


def test_given_busy_when_an_operator_decommissions_then_its_jobs_are_reported_lost() -> None:
    c = ready_cluster()
    c.allocate("job-1", 0, T0)
    c.decommission("operator", T0)
    assert (c.state, c.lost_job_ids, c.jobs) == (S.DECOMMISSIONING, ("job-1",), {})


def test_a_stack_that_completes_before_emr_reports_moves_the_cluster_to_starting() -> None:
    c = a_cluster()
    c.on_stack_status("CREATE_COMPLETE", T0)
    assert c.state is S.STARTING


# Failures ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status", ["CREATE_FAILED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_FAILED", "ROLLBACK_COMPLETE"]
)
def test_given_provisioning_when_the_stack_fails_to_create_then_failed(status: str) -> None:
    c = a_cluster()
    c.on_stack_status("CREATE_IN_PROGRESS", T0)
    c.on_stack_status(status, T0, "Resource creation cancelled")
    assert c.state is S.FAILED
    assert c.failure_reason == f"stack {status}: Resource creation cancelled"
    assert not c.stack_deleted, "the rolled-back stack is still there and must be deleted"


@pytest.mark.parametrize("emr_state", ["TERMINATED_WITH_ERRORS", "TERMINATED", "TERMINATING"])
def test_given_busy_when_emr_ends_outside_the_control_plane_then_failed_and_jobs_lost(
    emr_state: str,
) -> None:
    c = ready_cluster(slots=3)
    c.allocate("job-2", 1, T0)
    c.allocate("job-1", 0, T0)
    c.on_emr_state(EMR, emr_state, T0 + timedelta(minutes=3), "BOOTSTRAP_FAILURE")
    assert c.state is S.FAILED
    assert c.lost_job_ids == ("job-1", "job-2")
    assert c.jobs == {}
    assert c.free_slots == 0


def test_given_bootstrapping_when_emr_terminates_with_errors_then_failed_no_jobs_lost() -> None:
    c = a_cluster()
    c.on_emr_state(EMR, "BOOTSTRAPPING", T0)
    c.on_emr_state(EMR, "TERMINATED_WITH_ERRORS", T0)
    assert (c.state, c.lost_job_ids) == (S.FAILED, ())


def test_given_ready_when_the_stack_is_deleted_by_someone_else_then_failed_and_gone() -> None:
    c = ready_cluster()
    c.on_stack_status("DELETE_IN_PROGRESS", T0)
    assert c.state is S.FAILED
    c.on_stack_status("DELETE_COMPLETE", T0)
    assert (c.state, c.stack_deleted) == (S.FAILED, True)


def test_given_failed_when_decommissioned_then_only_the_stack_goes() -> None:
    c = a_cluster()
    c.on_stack_status("CREATE_FAILED", T0)
    c.decommission("failed", T0)
    assert (c.state, c.stack_delete_pending) == (S.FAILED, True)
    c.on_stack_status("DELETE_COMPLETE", T0)
    assert (c.state, c.stack_deleted, c.stack_delete_pending) == (S.FAILED, True, False)


def test_a_failed_delete_is_recorded_and_the_next_delete_gets_a_new_token() -> None:
    c = ready_cluster()
    c.decommission("idle_timeout", T0)
    first = c.delete_request_token
    c.on_stack_status("DELETE_FAILED", T0, "security group in use")
    assert (c.state, c.delete_failures, c.stack_delete_pending) == (S.DECOMMISSIONING, 1, True)
    assert c.delete_request_token != first


# Forward only: duplicates, late and out-of-order signals -------------------------------------


def test_a_starting_after_waiting_is_ignored() -> None:
    c = ready_cluster()
    c.collect_events()
    c.on_emr_state(EMR, "STARTING", T0)
    c.on_emr_state(EMR, "BOOTSTRAPPING", T0)
    c.on_stack_status("CREATE_IN_PROGRESS", T0)
    assert c.state is S.READY
    assert events_of(c) == []


def test_a_duplicated_waiting_changes_nothing_even_while_busy() -> None:
    c = ready_cluster()
    c.allocate("job-1", 0, T0)
    c.collect_events()
    c.on_emr_state(EMR, "WAITING", T0)
    c.on_emr_state(EMR, "RUNNING", T0)
    assert c.state is S.BUSY
    assert events_of(c) == []


def test_terminated_after_failed_stays_failed() -> None:
    c = ready_cluster()
    c.on_emr_state(EMR, "TERMINATED_WITH_ERRORS", T0)
    c.collect_events()
    c.on_emr_state(EMR, "TERMINATED", T0)
    c.on_emr_state(EMR, "WAITING", T0)
    c.on_stack_status("CREATE_COMPLETE", T0)
    assert c.state is S.FAILED
    assert events_of(c) == []


def test_nothing_moves_a_terminated_cluster() -> None:
    c = ready_cluster()
    c.decommission("idle_timeout", T0)
    c.on_stack_status("DELETE_COMPLETE", T0)
    c.collect_events()
    for status in ("CREATE_FAILED", "DELETE_COMPLETE", "DELETE_FAILED", "CREATE_IN_PROGRESS"):
        c.on_stack_status(status, T0)
    c.on_emr_state(EMR, "TERMINATED_WITH_ERRORS", T0)
    c.decommission("operator", T0)
    assert c.state is S.TERMINATED
    assert events_of(c) == []


def test_a_late_waiting_does_not_bring_a_decommissioning_cluster_back() -> None:
    c = ready_cluster()
    c.decommission("idle_timeout", T0)
    c.on_emr_state(EMR, "WAITING", T0)
    assert c.state is S.DECOMMISSIONING


def test_decommissioning_twice_records_it_once() -> None:
    c = ready_cluster()
    c.collect_events()
    c.decommission("idle_timeout", T0)
    c.decommission("above_maximum", T0)
    assert events_of(c) == ["DecommissionRequested"]


def test_every_state_aws_defines_is_understood() -> None:
    for state in get_args(EmrClusterState):
        Cluster.request(CID, "small", 1, "queued_demand", T0).on_emr_state(EMR, state, T0)
    for status in get_args(StackStatus):
        Cluster.request(CID, "small", 1, "queued_demand", T0).on_stack_status(status, T0)


def test_a_state_aws_does_not_define_is_refused() -> None:
    with pytest.raises(UnknownAwsState, match="EMR cluster state"):
        a_cluster().on_emr_state(EMR, "READY", T0)
    with pytest.raises(UnknownAwsState, match="stack status"):
        a_cluster().on_stack_status("CREATE_DONE", T0)


def test_a_signal_about_another_emr_cluster_is_refused() -> None:
    with pytest.raises(EmrClusterMismatch):
        ready_cluster().on_emr_state("j-OTHER", "TERMINATED_WITH_ERRORS", T0)


SIGNALS = st.one_of(
    st.tuples(st.just("emr"), st.sampled_from(get_args(EmrClusterState))),
    st.tuples(st.just("stack"), st.sampled_from(get_args(StackStatus))),
    st.tuples(st.just("decommission"), st.just("")),
)


@given(st.lists(SIGNALS, max_size=25))
def test_for_any_signals_the_lifecycle_only_moves_forward(signals: list[tuple[str, str]]) -> None:
    c = a_cluster()
    for kind, value in signals:
        before = c.state
        if kind == "emr":
            c.on_emr_state(EMR, value, T0)
        elif kind == "stack":
            c.on_stack_status(value, T0)
        else:
            c.decommission("operator", T0)
        assert RANK[c.state] >= RANK[before]
        if before in TERMINAL:
            assert c.state is before


def test_a_stored_cluster_comes_back_the_same() -> None:
    app = Application[UUID]()
    c = ready_cluster()
    c.allocate("job-1", 1, T0)
    c.on_emr_state(EMR, "TERMINATED_WITH_ERRORS", T0)
    c.decommission("failed", T0)
    app.save(c)
    again = app.repository.get(c.id)
    assert again.__dict__ == c.__dict__
