"""Events stored under the topics aggregates had before they moved to domain/ are still read."""

from __future__ import annotations

from typing import Any

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent

from job_service.adapters import FakeStepRunner
from job_service.application import JobsApplication
from job_service.bootstrap import JobServiceSettings, bootstrap
from job_service.domain import ClusterRequest, KnownCluster, PoolLimits, ProfileIndex
from tests.job_service.application_support import CLUSTER_PROFILE, MEMORY_STORE, T0, World

OLD_MODULES = {
    KnownCluster: "job_service.application.clusters",
    ClusterRequest: "job_service.application.pool_outlook",
    PoolLimits: "job_service.application.pool_outlook",
    ProfileIndex: "job_service.application.profile_index",
}


def stored_as_before(app: JobsApplication, aggregate: Aggregate) -> None:
    """Store the aggregate's new events as the code before the move stored them: under the
    old topic, and a created event naming the aggregate by its old topic too."""
    old_module = OLD_MODULES[type(aggregate)]
    new_module = type(aggregate).__module__
    stored = []
    for event in aggregate.collect_events():
        new = app.store.mapper.to_stored_event(event)
        topic = f"{old_module}:{type(event).__qualname__}"
        state = new.state.replace(f'"{new_module}:'.encode(), f'"{old_module}:'.encode())
        stored.append(StoredEvent(new.originator_id, new.originator_version, topic, state))
    app.store.recorder.insert_events(stored)


def no_profiles() -> JobsApplication:
    settings = JobServiceSettings("unused", persistence_module=MEMORY_STORE)
    return bootstrap(settings, step_runner=FakeStepRunner()).app


def known_cluster() -> KnownCluster:
    cluster = KnownCluster.register("c-old", CLUSTER_PROFILE, "j-OLD", 2, T0)
    cluster.close("lost", T0)
    return cluster


def pool_limits() -> PoolLimits:
    limits = PoolLimits.open(CLUSTER_PROFILE, 3, T0)
    limits.change(5, T0)
    return limits


def profile_index() -> ProfileIndex:
    index = ProfileIndex.start(T0)
    index.add("old-profile", T0)
    return index


@pytest.mark.parametrize(
    "make",
    [
        known_cluster,
        pool_limits,
        profile_index,
        lambda: ClusterRequest.register("c-old", CLUSTER_PROFILE, T0, T0),
    ],
)
def test_an_aggregate_stored_under_its_old_topic_is_read(make: Any) -> None:
    app = no_profiles()
    written = make()
    stored_as_before(app, written)
    read = app.store.repository.get(written.id)
    assert type(read) is type(written)
    assert vars(read) == vars(written)


def test_the_board_reads_events_stored_under_old_topics() -> None:
    # Given a cluster and pool records stored before the move
    world = World()
    stored_as_before(world.app, KnownCluster.register("c-old", CLUSTER_PROFILE, "j-OLD", 2, T0))
    stored_as_before(world.app, PoolLimits.open(CLUSTER_PROFILE, 1, T0))
    # When the board is built from the log, it knows them
    board = world.app.rebuild_board()
    assert board.clusters["c-old"].emr_cluster_id == "j-OLD"
    assert board.outlooks.outlook(CLUSTER_PROFILE, T0).maximum == 1
    # And a job submitted now is dispatched onto that cluster
    job = world.submit()
    world.app.tick(world.now)
    assert world.job(job.id).cluster_id == "c-old"
