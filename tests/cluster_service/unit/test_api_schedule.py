"""PUT and DELETE /pools/{profile}/schedule, and drained pools, through the operators' API:
refusals name what to fix and change nothing; the tick follows the schedule's local hours."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cluster_service.domain.pool import Pool
from tests.cluster_service.api_support import ApiWorld

PATH = "/pools/spark-small/schedule"
STOCKHOLM = "Europe/Stockholm"


@pytest.fixture
def world() -> Iterator[ApiWorld]:
    with ApiWorld() as world:
        world.create_profile(pool={"minimum": 0, "maximum": 4, "idle_ttl_seconds": 60})
        yield world


def office_hours(value: int = 2) -> list[int]:
    """`value` on weekdays 08:00-18:00, 0 otherwise."""
    hours = [0] * 168
    for day in range(5):
        for hour in range(8, 18):
            hours[day * 24 + hour] = value
    return hours


def requested(world: ApiWorld) -> int:
    return len(world.cloud.stacks)


def test_a_schedule_is_kept_shown_and_applied_at_once(world: ApiWorld) -> None:
    # T0 is Monday 09:00 UTC: 10:00 in Stockholm, an office hour.
    reply = world.request("PUT", PATH, {"time_zone": STOCKHOLM, "minimum": office_hours()})
    assert reply.status == 200, reply.body
    assert reply.body["schedule"] == {"time_zone": STOCKHOLM, "minimum": office_hours()}
    assert (reply.body["minimum"], reply.body["effective_minimum"]) == (0, 2)
    assert reply.body["clusters_by_state"] == {"REQUESTED": 2}
    listed = world.request("GET", "/pools").body["pools"][0]
    assert (listed["effective_minimum"], listed["schedule"]["time_zone"]) == (2, STOCKHOLM)


def test_the_compact_rule_form_gives_the_same_hours(world: ApiWorld) -> None:
    rules = [{"days": ["mon", "tue", "wed", "thu", "fri"], "from_hour": 8, "to_hour": 18}]
    body = {"time_zone": STOCKHOLM, "rules": [rules[0] | {"minimum": 2}], "default_minimum": 0}
    reply = world.request("PUT", PATH, body)
    assert reply.status == 200, reply.body
    assert reply.body["schedule"]["minimum"] == office_hours()


def test_the_tick_follows_the_local_hours_and_the_audit_shows_each_change(
    world: ApiWorld,
) -> None:
    world.request("PUT", PATH, {"time_zone": STOCKHOLM, "minimum": office_hours()})
    app = world.service.app
    evening = datetime(2026, 1, 5, 17, 30, tzinfo=UTC)  # 18:30 in Stockholm
    app.tick(evening)
    pool = world.service.app.get_pool("spark-small", evening)
    assert pool.effective_minimum == 0
    events = list(app.store.events.get(Pool.id_for("spark-small")))
    changes = [e for e in events if isinstance(e, Pool.ScheduledMinimumChanged)]
    assert [(c.hour_of_week, c.effective_minimum) for c in changes] == [(10, 2), (18, 0)]


def test_a_schedule_is_dropped_and_dropping_none_is_no_error(world: ApiWorld) -> None:
    world.request("PUT", PATH, {"time_zone": "UTC", "minimum": [1] * 168})
    reply = world.request("DELETE", PATH)
    assert reply.status == 200, reply.body
    assert (reply.body["schedule"], reply.body["effective_minimum"]) == (None, 0)
    stored = world.stored()
    assert world.request("DELETE", PATH).status == 200
    assert world.stored() == stored


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"time_zone": "Europe/Atlantis", "minimum": [0] * 168}, "time_zone", "unknown"),
        ({"time_zone": STOCKHOLM, "minimum": [0] * 167}, "minimum", "168 values"),
        ({"time_zone": STOCKHOLM, "minimum": [*[0] * 100, -1, *[0] * 67]}, "minimum.100", "0"),
        ({"time_zone": STOCKHOLM, "minimum": [5] * 168}, "minimum.0", "maximum 4"),
        ({"time_zone": STOCKHOLM, "minimum": ["1"] * 168}, "minimum.0", ""),
        ({"time_zone": STOCKHOLM}, None, "either minimum"),
        (
            {
                "time_zone": STOCKHOLM,
                "rules": [{"days": ["mon"], "from_hour": 8, "to_hour": 9, "minimum": 9}],
            },
            "rules",
            "maximum 4",
        ),
        (
            {
                "time_zone": STOCKHOLM,
                "rules": [{"days": ["mon"], "from_hour": 9, "to_hour": 8, "minimum": 1}],
            },
            "rules.0",
            "after from_hour",
        ),
        ({"time_zone": STOCKHOLM, "minimum": [0] * 168, "zone": "x"}, "zone", ""),
    ],
)
def test_a_refused_schedule_says_what_to_fix_and_changes_nothing(
    world: ApiWorld, body: dict[str, Any], field: str | None, words: str
) -> None:
    before, stored = world.request("GET", "/pools/spark-small").body, world.stored()
    reply = world.request("PUT", PATH, body)
    assert reply.status == 400, reply.body
    assert field is None or reply.error["field"] == field, reply.body
    assert words in reply.error["message"] + str(reply.body), reply.body
    assert world.request("GET", "/pools/spark-small").body == before
    assert world.stored() == stored


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_only_operators_set_schedules_and_only_of_known_pools(world: ApiWorld, method: str) -> None:
    body = {"time_zone": "UTC", "minimum": [0] * 168}
    assert world.request(method, PATH, body, key=None).status == 401
    assert world.request(method, PATH, body, key="wrong-key-1").status == 401
    assert world.request(method, "/pools/nope/schedule", body).status == 404


# Drained pools ----------------------------------------------------------------------------------


def test_maximum_zero_drains_the_pool_and_a_schedule_cannot_raise_it(world: ApiWorld) -> None:
    world.request("PUT", "/pools/spark-small", {"minimum": 1})
    assert requested(world) == 1
    reply = world.request("PUT", "/pools/spark-small", {"minimum": 0, "maximum": 0})
    assert reply.status == 200, reply.body
    assert (reply.body["maximum"], reply.body["effective_minimum"]) == (0, 0)
    refused = world.request("PUT", PATH, {"time_zone": "UTC", "minimum": [1] * 168})
    assert (refused.status, refused.error["field"]) == (400, "minimum.0")
    world.service.app.job_submitted("job-1", "spark-small", world.now)
    world.service.app.tick(world.now + timedelta(minutes=1))
    assert requested(world) == 1  # nothing started for the queued job


def test_across_the_spring_dst_change_the_tick_skips_the_missing_local_hour(
    world: ApiWorld,
) -> None:
    # Sunday 29 March 2026, Stockholm: 02:00 CET is followed by 03:00 CEST (01:00 UTC).
    hours = [0] * 168
    hours[6 * 24 + 2] = 4  # Sunday 02:00-03:00 local: a time that does not exist that night
    hours[6 * 24 + 3] = 3  # Sunday 03:00-04:00 local
    world.now = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    assert world.request("PUT", PATH, {"time_zone": STOCKHOLM, "minimum": hours}).status == 200
    app = world.service.app
    night = datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    for minute in range(0, 180, 15):
        app.tick(night + timedelta(minutes=minute))
    events = list(app.store.events.get(Pool.id_for("spark-small")))
    changes = [
        (e.timestamp.astimezone(UTC).hour, e.hour_of_week, e.effective_minimum)
        for e in events
        if isinstance(e, Pool.ScheduledMinimumChanged)
    ]
    assert changes == [(1, 6 * 24 + 3, 3), (2, 6 * 24 + 4, 0)]
    assert requested(world) == 3
