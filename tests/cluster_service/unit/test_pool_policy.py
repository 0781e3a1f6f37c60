"""The pool policy, rule by rule, on hand-made views of a pool's clusters."""

from __future__ import annotations

import tracemalloc
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import pytest

from cluster_service.domain.lifecycle import ClusterState, ClusterView
from cluster_service.domain.policy import Decommission, StartCluster, decide
from tests.cluster_service.support import T0

S = ClusterState
NOW = T0 + timedelta(hours=2)


@dataclass(frozen=True)
class Limits:
    minimum: int = 1
    maximum: int = 3
    idle_ttl_seconds: int = 600


def view(
    n: int, state: ClusterState, busy: int = 0, idle_for: int | None = None, slots: int = 2
) -> ClusterView:
    idle_since: datetime | None = None
    if state is S.READY:
        idle_since = NOW - timedelta(seconds=idle_for or 0)
    return ClusterView(UUID(int=n), state, slots, busy, idle_since)


def starts(decisions: list[StartCluster | Decommission]) -> list[str]:
    return [d.reason for d in decisions if isinstance(d, StartCluster)]


def decommissions(decisions: list[StartCluster | Decommission]) -> list[tuple[int, str]]:
    return [(d.cluster_id.int, d.reason) for d in decisions if isinstance(d, Decommission)]


# MINIMUM ----------------------------------------------------------------------------------------


def test_given_an_empty_pool_then_it_starts_the_minimum() -> None:
    assert starts(decide(Limits(minimum=2), [], 0, NOW)) == ["below_minimum"] * 2


def test_clusters_on_their_way_count_toward_the_minimum() -> None:
    for state in (S.REQUESTED, S.PROVISIONING, S.STARTING, S.BOOTSTRAPPING):
        assert decide(Limits(), [view(1, state)], 0, NOW) == []


@pytest.mark.parametrize("state", [S.DECOMMISSIONING, S.TERMINATED])
def test_clusters_going_or_gone_do_not_count_toward_the_minimum(state: ClusterState) -> None:
    assert starts(decide(Limits(), [view(1, state)], 0, NOW)) == ["below_minimum"]


def test_given_a_failed_cluster_then_its_stack_is_deleted_and_it_is_replaced() -> None:
    decisions = decide(Limits(), [view(1, S.FAILED)], 0, NOW)
    assert decommissions(decisions) == [(1, "failed")]
    assert starts(decisions) == ["replacement"]


def test_a_failed_cluster_whose_stack_is_already_going_is_left_alone() -> None:
    failed = ClusterView(UUID(int=1), S.FAILED, 2, stack_delete_requested=True)
    assert decide(Limits(minimum=0), [failed], 0, NOW) == []


def test_a_failed_cluster_no_longer_needed_is_not_replaced() -> None:
    decisions = decide(Limits(minimum=1), [view(1, S.FAILED), view(2, S.READY)], 0, NOW)
    assert decisions == [Decommission(UUID(int=1), "failed")]


# Demand and MAXIMUM -----------------------------------------------------------------------------


def test_queued_jobs_beyond_free_and_coming_slots_start_clusters_for_the_rest() -> None:
    clusters = [view(1, S.BUSY, busy=1), view(2, S.STARTING)]  # 1 free + 2 coming slots
    decisions = decide(Limits(maximum=5), clusters, 6, NOW, slots_per_cluster=2)
    assert starts(decisions) == ["queued_demand"] * 2  # 3 more jobs need 2 clusters of 2 slots


def test_queued_jobs_that_fit_in_free_and_coming_slots_start_nothing() -> None:
    clusters = [view(1, S.READY), view(2, S.PROVISIONING)]
    assert decide(Limits(), clusters, 4, NOW, slots_per_cluster=2) == []


def test_demand_never_takes_the_pool_above_maximum_counting_clusters_on_their_way() -> None:
    clusters = [view(1, S.BUSY, busy=2), view(2, S.REQUESTED)]
    assert starts(decide(Limits(maximum=3), clusters, 100, NOW)) == ["queued_demand"]


def test_decommissioning_clusters_still_count_toward_maximum() -> None:
    clusters = [view(1, S.BUSY, busy=2), view(2, S.DECOMMISSIONING), view(3, S.BUSY, busy=2)]
    assert decide(Limits(maximum=3), clusters, 10, NOW) == []


def test_failed_clusters_do_not_count_toward_maximum() -> None:
    clusters = [view(1, S.BUSY, busy=2), view(2, S.FAILED), view(3, S.BUSY, busy=2)]
    assert starts(decide(Limits(maximum=3), clusters, 10, NOW)) == ["replacement"]


def test_the_minimum_and_demand_together_start_no_more_than_needed() -> None:
    decisions = decide(Limits(minimum=1, maximum=10), [], 3, NOW, slots_per_cluster=2)
    assert starts(decisions) == ["below_minimum", "queued_demand"]


# Idle TTL -------------------------------------------------------------------------------------


def test_an_idle_cluster_past_the_ttl_above_the_minimum_is_decommissioned() -> None:
    clusters = [view(1, S.READY, idle_for=601), view(2, S.BUSY, busy=1)]
    assert decommissions(decide(Limits(), clusters, 0, NOW)) == [(1, "idle_timeout")]


def test_an_idle_cluster_exactly_at_the_ttl_is_decommissioned() -> None:
    clusters = [view(1, S.READY, idle_for=600), view(2, S.READY, idle_for=0)]
    assert decommissions(decide(Limits(), clusters, 0, NOW)) == [(1, "idle_timeout")]


def test_an_idle_cluster_within_the_ttl_stays() -> None:
    clusters = [view(1, S.READY, idle_for=599), view(2, S.BUSY, busy=1)]
    assert decide(Limits(), clusters, 0, NOW) == []


def test_the_longest_idle_go_first_and_never_below_the_minimum() -> None:
    clusters = [
        view(1, S.READY, idle_for=700),
        view(2, S.READY, idle_for=5000),
        view(3, S.READY, idle_for=900),
        view(4, S.READY, idle_for=800),
    ]
    decisions = decide(Limits(minimum=2, maximum=4), clusters, 0, NOW)
    assert decommissions(decisions) == [(2, "idle_timeout"), (3, "idle_timeout")]


def test_a_busy_cluster_is_never_decommissioned() -> None:
    clusters = [view(1, S.BUSY, busy=1), view(2, S.BUSY, busy=2)]
    assert decide(Limits(minimum=0), clusters, 0, NOW) == []


def test_idle_clusters_whose_slots_the_queue_needs_stay() -> None:
    clusters = [view(1, S.READY, idle_for=9000), view(2, S.READY, idle_for=9000)]
    assert decommissions(decide(Limits(minimum=0), clusters, 3, NOW)) == []
    assert decommissions(decide(Limits(minimum=0), clusters, 2, NOW)) == [(1, "idle_timeout")]


def test_at_the_minimum_an_idle_cluster_stays_however_long() -> None:
    assert decide(Limits(minimum=1), [view(1, S.READY, idle_for=10**6)], 0, NOW) == []


def test_with_a_minimum_of_zero_the_last_idle_cluster_goes() -> None:
    decisions = decide(Limits(minimum=0), [view(1, S.READY, idle_for=601)], 0, NOW)
    assert decommissions(decisions) == [(1, "idle_timeout")]


# Thresholds lowered ---------------------------------------------------------------------------


def test_above_a_lowered_maximum_idle_clusters_go_longest_idle_first() -> None:
    clusters = [
        view(1, S.READY, idle_for=10),
        view(2, S.READY, idle_for=20),
        view(3, S.BUSY, busy=1),
        view(4, S.BUSY, busy=1),
    ]
    decisions = decide(Limits(minimum=1, maximum=2, idle_ttl_seconds=3600), clusters, 0, NOW)
    assert decommissions(decisions) == [(2, "above_maximum"), (1, "above_maximum")]


def test_above_a_lowered_maximum_busy_clusters_finish_their_jobs() -> None:
    clusters = [view(n, S.BUSY, busy=1) for n in range(1, 5)]
    assert decide(Limits(minimum=1, maximum=2), clusters, 0, NOW) == []


def test_negative_demand_is_refused() -> None:
    with pytest.raises(ValueError, match="queued_jobs"):
        decide(Limits(), [], -1, NOW)


# Cost -------------------------------------------------------------------------------------------


def test_only_the_starts_a_pass_makes_are_built_however_large_the_limits() -> None:
    # Given limits far beyond any pool (the API refuses them; a Thresholds may still hold them)
    huge = Limits(minimum=10**9, maximum=10**9)
    # When a pass may start 16 clusters
    tracemalloc.start()
    try:
        decisions = decide(huge, [], 10**9, NOW, max_starts=16)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Then it gets the first 16 of the starts needed, and builds nothing more
    assert starts(decisions) == ["below_minimum"] * 16
    assert peak < 64 * 1024


@pytest.mark.parametrize("cap", [0, 1, 2, 3, 5, 8])
def test_a_capped_decision_is_the_first_starts_of_the_whole_one(cap: int) -> None:
    limits = Limits(minimum=4, maximum=9)
    clusters = [view(1, S.FAILED), view(2, S.FAILED), view(3, S.READY, idle_for=5)]
    whole = decide(limits, clusters, 9, NOW)
    capped = decide(limits, clusters, 9, NOW, max_starts=cap)
    assert decommissions(capped) == decommissions(whole)
    assert starts(capped) == starts(whole)[:cap]
    assert starts(whole)[:3] == ["replacement", "replacement", "below_minimum"]
