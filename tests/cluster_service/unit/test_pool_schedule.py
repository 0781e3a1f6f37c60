"""A pool's MINIMUM schedule: validated whole, counted in local hours of its zone (across
daylight saving changes), followed by the pool with an event when the value in force changes,
and applied by the policy as the effective MINIMUM; MAXIMUM 0 drains a pool."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cluster_service.domain.errors import InvalidSchedule, InvalidThresholds
from cluster_service.domain.lifecycle import ClusterState, ClusterView
from cluster_service.domain.policy import Decommission, StartCluster, decide
from cluster_service.domain.pool import Pool
from cluster_service.domain.schedule import (
    HOURS_OF_WEEK,
    MinimumSchedule,
    effective_minimum,
    hour_of_week,
    zone_named,
)
from tests.cluster_service.support import T0

STOCKHOLM = "Europe/Stockholm"
MONDAY_UTC = datetime(2026, 3, 2, tzinfo=UTC)
"""A Monday 00:00 UTC (01:00 in Stockholm, winter time)."""


def by_hour(**values: int) -> list[int]:
    """168 zeros but the given hours (h<N>=value)."""
    hours = [0] * HOURS_OF_WEEK
    for key, value in values.items():
        hours[int(key[1:])] = value
    return hours


def a_pool(minimum: int = 1, maximum: int = 5) -> Pool:
    return Pool.create("small", minimum, maximum, 600, "api", T0)


# Validation -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "hours", "field", "words"),
    [
        ("Mars/Olympus", [0] * 168, "time_zone", "unknown IANA time zone"),
        ("", [0] * 168, "time_zone", "IANA time zone name"),
        ("../../etc/passwd", [0] * 168, "time_zone", "unknown IANA time zone"),
        (STOCKHOLM, [0] * 24, "minimum", "168 values"),
        (STOCKHOLM, by_hour(h30=-1), "minimum.30", "at least 0"),
        (STOCKHOLM, by_hour(h167=6), "minimum.167", "above the pool's maximum 5 (Sunday 23:00)"),
        (STOCKHOLM, [*[0] * 167, 1.5], "minimum.167", "whole number"),
        (STOCKHOLM, [*[0] * 167, True], "minimum.167", "whole number"),
    ],
)
def test_a_schedule_that_cannot_hold_is_refused_naming_what_to_fix(
    zone: str, hours: list[int], field: str, words: str
) -> None:
    pool = a_pool()
    with pytest.raises(InvalidSchedule) as refused:
        pool.set_schedule(zone, hours, "api", T0)
    assert refused.value.field == field
    assert words in str(refused.value)
    assert pool.schedule is None and not pool.pending_events[1:]


def test_the_same_schedule_twice_is_recorded_once_and_clearing_none_records_nothing() -> None:
    pool = a_pool()
    assert not pool.clear_schedule("api", T0)
    assert pool.set_schedule(STOCKHOLM, by_hour(h9=3), "api", T0)
    assert not pool.set_schedule(STOCKHOLM, by_hour(h9=3), "api", T0)
    assert pool.schedule == MinimumSchedule(STOCKHOLM, tuple(by_hour(h9=3)))
    assert [type(e).__name__ for e in pool.collect_events()] == ["Created", "ScheduleSet"]


# Hours of the week in a zone, across daylight saving --------------------------------------------


def test_hour_zero_is_monday_midnight_local_time() -> None:
    zone = zone_named(STOCKHOLM)
    assert hour_of_week(MONDAY_UTC, zone) == 1
    assert hour_of_week(MONDAY_UTC - timedelta(hours=1), zone) == 0
    assert hour_of_week(MONDAY_UTC - timedelta(hours=2), zone) == 167
    assert hour_of_week(MONDAY_UTC, zone_named("UTC")) == 0


def test_across_the_spring_change_the_skipped_local_hour_is_never_in_force() -> None:
    # Sunday 29 March 2026: Stockholm goes from 02:00 CET straight to 03:00 CEST (01:00 UTC).
    zone = zone_named(STOCKHOLM)
    sunday = 6 * 24
    before = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 CET
    after = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert (hour_of_week(before, zone), hour_of_week(after, zone)) == (sunday + 1, sunday + 3)
    schedule = MinimumSchedule(STOCKHOLM, tuple(by_hour(h146=4, h147=2)))
    # 01:30, 03:30, 04:30 local: 02:00's value (4) is never in force
    assert [schedule.at(before + timedelta(hours=h)) for h in range(3)] == [0, 2, 0]


def test_across_the_autumn_change_the_repeated_local_hour_holds_twice() -> None:
    # Sunday 25 October 2026: Stockholm goes back from 03:00 CEST to 02:00 CET (01:00 UTC).
    zone = zone_named(STOCKHOLM)
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET
    assert hour_of_week(first, zone) == hour_of_week(second, zone) == 6 * 24 + 2


def test_the_pool_follows_its_schedule_in_local_hours_across_a_dst_change() -> None:
    # 08:00-09:00 local on weekdays: 07:00 UTC in winter, 06:00 UTC in summer.
    hours = [0] * HOURS_OF_WEEK
    for day in range(5):
        hours[day * 24 + 8] = 3
    pool = a_pool(minimum=1)
    pool.set_schedule(STOCKHOLM, hours, "api", T0)
    friday_winter = datetime(2026, 3, 27, 7, 15, tzinfo=UTC)
    monday_summer = datetime(2026, 3, 30, 6, 15, tzinfo=UTC)
    assert pool.effective_minimum_at(friday_winter) == 3
    assert pool.effective_minimum_at(friday_winter - timedelta(hours=1)) == 1
    assert pool.effective_minimum_at(monday_summer) == 3
    assert pool.effective_minimum_at(monday_summer + timedelta(hours=1)) == 1


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_every_moment_has_exactly_one_hour_of_the_week(naive: datetime) -> None:
    at = naive.replace(tzinfo=UTC)
    for name in ("UTC", STOCKHOLM, "America/New_York", "Australia/Lord_Howe"):
        assert 0 <= hour_of_week(at, zone_named(name)) < HOURS_OF_WEEK
    assert hour_of_week(at, zone_named("UTC")) == at.weekday() * 24 + at.hour


# Following the schedule -------------------------------------------------------------------------


def test_following_records_an_event_only_when_the_effective_minimum_changes() -> None:
    pool = a_pool(minimum=1, maximum=5)
    pool.set_schedule("UTC", by_hour(h8=1, h9=4, h10=4, h11=0), "api", T0)
    nine = MONDAY_UTC + timedelta(hours=9)
    assert not pool.follow_schedule(MONDAY_UTC)  # 0: the pool's MINIMUM 1 holds
    assert not pool.follow_schedule(nine - timedelta(hours=1))  # 1: still 1
    assert pool.follow_schedule(nine)
    assert pool.effective_minimum == 4
    assert not pool.follow_schedule(nine + timedelta(hours=1))
    assert pool.follow_schedule(nine + timedelta(hours=2))
    assert pool.effective_minimum == 1  # the pool's own MINIMUM is the floor
    changes = [e for e in pool.collect_events() if isinstance(e, Pool.ScheduledMinimumChanged)]
    assert [(e.hour_of_week, e.scheduled_minimum, e.effective_minimum) for e in changes] == [
        (9, 4, 4),
        (11, 0, 1),
    ]


def test_clearing_the_schedule_puts_the_pools_own_minimum_back() -> None:
    pool = a_pool(minimum=1)
    pool.set_schedule("UTC", [3] * HOURS_OF_WEEK, "api", T0)
    pool.follow_schedule(MONDAY_UTC)
    assert pool.effective_minimum == 3
    assert pool.clear_schedule("api", MONDAY_UTC)
    assert (pool.schedule, pool.effective_minimum) == (None, 1)
    assert not pool.follow_schedule(MONDAY_UTC)


def test_a_lowered_minimum_under_a_schedule_is_followed_from_the_hours_value() -> None:
    pool = a_pool(minimum=3, maximum=5)
    pool.set_schedule("UTC", [2] * HOURS_OF_WEEK, "api", T0)
    assert not pool.follow_schedule(MONDAY_UTC)  # 2 is below MINIMUM 3: nothing to record
    pool.change_thresholds(0, 5, 600, "api", MONDAY_UTC)
    assert pool.effective_minimum == 0
    assert pool.follow_schedule(MONDAY_UTC)
    assert pool.effective_minimum == 2


def test_a_maximum_lowered_below_the_schedule_caps_the_effective_minimum() -> None:
    pool = a_pool(minimum=0, maximum=5)
    pool.set_schedule("UTC", [4] * HOURS_OF_WEEK, "api", T0)
    pool.follow_schedule(MONDAY_UTC)
    pool.change_thresholds(0, 2, 600, "api", MONDAY_UTC)
    assert pool.effective_minimum == 2
    assert effective_minimum(3, 2, 0) == 2 and effective_minimum(1, 5, 4) == 4


def test_schedule_changes_keep_the_time_the_operator_changed_the_pool() -> None:
    pool = a_pool()
    pool.set_schedule("UTC", [2] * HOURS_OF_WEEK, "api", T0 + timedelta(minutes=5))
    pool.follow_schedule(T0 + timedelta(hours=3))
    assert pool.changed_at == T0 + timedelta(minutes=5)


# The policy -------------------------------------------------------------------------------------


def ready(n: int, idle_for: int) -> ClusterView:
    at = MONDAY_UTC - timedelta(seconds=idle_for)
    return ClusterView(UUID(int=n), ClusterState.READY, 1, 0, at)


def test_the_policy_keeps_the_effective_minimum_and_lets_the_surplus_go_after_it() -> None:
    pool = a_pool(minimum=1, maximum=5)
    raised = decide(pool, [ready(1, 0)], 0, MONDAY_UTC, minimum=3)
    assert [d.reason for d in raised if isinstance(d, StartCluster)] == ["below_minimum"] * 2
    long_idle = [ready(n, 3600) for n in range(1, 5)]
    assert decide(pool, long_idle, 0, MONDAY_UTC, minimum=4) == []
    lowered = decide(pool, long_idle, 0, MONDAY_UTC, minimum=2)
    assert [d.reason for d in lowered if isinstance(d, Decommission)] == ["idle_timeout"] * 2


# A drained pool -------------------------------------------------------------------------------


def test_maximum_zero_with_minimum_zero_is_a_drained_pool_and_needs_minimum_zero() -> None:
    pool = a_pool(minimum=0, maximum=3)
    assert pool.change_thresholds(0, 0, 600, "api", T0)
    with pytest.raises(InvalidThresholds) as refused:
        a_pool(minimum=1).change_thresholds(1, 0, 600, "api", T0)
    assert refused.value.field == "minimum"


def test_a_drained_pool_starts_nothing_and_lets_busy_clusters_finish() -> None:
    pool = a_pool(minimum=0, maximum=0)
    busy = ClusterView(UUID(int=9), ClusterState.BUSY, 1, 1, None)
    decisions = decide(pool, [busy, ready(1, 0)], 10, MONDAY_UTC)
    assert decisions == [Decommission(UUID(int=1), "above_maximum")]
    assert decide(pool, [busy], 10, MONDAY_UTC) == []
    assert decide(pool, [], 10, MONDAY_UTC, minimum=4) == []
