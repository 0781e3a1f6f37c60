"""Why a queued job waits: a cluster of its pool starting (and when it should be ready), or
the pool at MAXIMUM; learnt from ClusterRequested, PoolThresholdsChanged and the clusters'
lifecycle events, in whatever order they come."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from uuid import uuid4

import pytest

from events.schemas import ClusterRequested, PoolThresholdsChanged
from tests.job_service.api_support import ApiWorld
from tests.job_service.application_support import CLUSTER_PROFILE, T0, failed, ready

STARTING = f"cluster starting for cluster profile {CLUSTER_PROFILE}"


def requested(cluster_id: str, at: datetime) -> ClusterRequested:
    return ClusterRequested(
        event_id=str(uuid4()),
        occurred_at=at,
        cluster_id=cluster_id,
        cluster_profile=CLUSTER_PROFILE,
        stack_name=f"emrcp-{cluster_id}",
        reason="queued_demand",
    )


def limits(maximum: int, minimum: int = 0) -> PoolThresholdsChanged:
    return PoolThresholdsChanged(
        event_id=str(uuid4()),
        occurred_at=T0,
        cluster_profile=CLUSTER_PROFILE,
        minimum=minimum,
        maximum=maximum,
        idle_ttl_seconds=600,
    )


@pytest.fixture
def world() -> Iterator[ApiWorld]:
    with ApiWorld() as world:
        world.create_profile()
        yield world


def reason(world: ApiWorld, job_id: str) -> str:
    body = world.request("GET", f"/jobs/{job_id}").body
    assert body["status"] == "queued", body
    return str(body["waiting_reason"])


def test_a_waiting_job_learns_when_the_starting_cluster_should_be_ready(world: ApiWorld) -> None:
    # Given a first cluster that took 300 s to start, and its one slot taken
    world.deliver(requested("c-1", T0))
    world.now = T0 + timedelta(seconds=300)
    world.submitted()
    world.deliver(ready("c-1", slots=1))
    # When a second cluster was requested 100 s ago for the next job
    world.deliver(requested("c-2", world.now))
    job_id = world.submitted()
    world.advance(100)
    # Then the job expects it in about 200 s, and any moment once that time is over
    assert reason(world, job_id) == f"{STARTING}, ready in about 200 s"
    world.advance(250)
    assert reason(world, job_id) == f"{STARTING}, ready any moment"


def test_without_a_start_up_seen_yet_there_is_no_estimate(world: ApiWorld) -> None:
    world.deliver(requested("c-1", T0))
    job_id = world.submitted()
    assert reason(world, job_id) == STARTING
    other = world.submitted()
    assert reason(world, other) == f"queued behind 1 job; {STARTING}"


def test_a_pool_at_maximum_says_so(world: ApiWorld) -> None:
    world.deliver(limits(maximum=2))
    world.deliver(limits(maximum=1))
    world.submitted()
    world.deliver(ready("c-1", slots=1))
    job_id = world.submitted()
    expected = f"cluster profile {CLUSTER_PROFILE} at MAXIMUM (1 cluster), waiting for a slot"
    assert reason(world, job_id) == expected
    # A higher maximum lets the pool grow: the job waits for a cluster again, not the limit
    world.deliver(limits(maximum=3))
    assert reason(world, job_id).startswith("waiting for a cluster of cluster profile")


def test_a_request_heard_after_its_cluster_was_ready_or_lost_starts_nothing(
    world: ApiWorld,
) -> None:
    world.submitted()
    world.deliver(ready("c-1", slots=1))
    world.deliver(failed("c-2"))
    world.deliver(requested("c-1", T0))
    world.deliver(requested("c-2", T0))
    job_id = world.submitted()
    assert reason(world, job_id).startswith("waiting for a cluster of cluster profile")


def test_a_lost_starting_cluster_is_no_longer_starting(world: ApiWorld) -> None:
    world.deliver(requested("c-1", T0))
    world.deliver(failed("c-1"))
    job_id = world.submitted()
    assert reason(world, job_id).startswith("waiting for a cluster of cluster profile")


def test_the_same_request_under_two_event_ids_is_recorded_once(world: ApiWorld) -> None:
    world.deliver(requested("c-1", T0))
    before = world.stored()
    world.deliver(requested("c-1", T0))
    assert world.stored() == before  # no second record, only its consumed marker
    app = world.service.app
    assert app.pool_outlook(CLUSTER_PROFILE, at=T0).starting == 1


def test_the_outlook_is_rebuilt_from_the_log_as_it_was(world: ApiWorld) -> None:
    world.deliver(limits(maximum=4))
    world.deliver(requested("c-1", T0))
    world.now = T0 + timedelta(seconds=120)
    world.deliver(ready("c-1", slots=2))
    world.deliver(requested("c-2", world.now))
    app = world.service.app
    live = app.pool_outlook(CLUSTER_PROFILE, at=world.now)
    app.rebuild_board()
    assert app.pool_outlook(CLUSTER_PROFILE, at=world.now) == live
    assert (live.starting, live.ready, live.maximum, live.ready_in_seconds) == (1, 1, 4, 120.0)


def test_a_drained_pool_says_no_cluster_will_start_even_while_one_is_still_starting(
    world: ApiWorld,
) -> None:
    world.deliver(requested("c-1", T0))
    world.deliver(limits(maximum=0))
    job_id = world.submitted()
    expected = f"cluster profile {CLUSTER_PROFILE} is drained (MAXIMUM 0): no new clusters"
    assert reason(world, job_id) == expected
    world.deliver(limits(maximum=2))
    assert reason(world, job_id) == STARTING
