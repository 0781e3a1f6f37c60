"""The cluster service's use cases called directly, on the in-memory store with fakes."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cluster_service.adapters import FakeProvisioner
from cluster_service.application import (
    ClusterNotFound,
    ClustersApplication,
    ProfileExists,
    ProfileNotFound,
)
from cluster_service.application.runner import STARTS_PER_PASS
from cluster_service.bootstrap import build_application
from cluster_service.domain.demand import Demand
from cluster_service.domain.errors import InvalidChangeSource, InvalidThresholds
from cluster_service.domain.policy import Decommission, StartCluster
from cluster_service.domain.profiles import SEED_PROFILES

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
MEMORY = {"PERSISTENCE_MODULE": "backbone.eventstore.memory"}
SOLO = dataclasses.replace(SEED_PROFILES["small"], name="solo", step_concurrency=1)
"""A profile with one slot per cluster."""


def an_app(cloud: FakeProvisioner | None = None) -> ClustersApplication:
    cloud = cloud or FakeProvisioner()
    return build_application(MEMORY, provisioner=cloud, inspector=cloud.inspector, template="{}")


def stored(app: ClustersApplication) -> int:
    return app.recorder.max_notification_id() or 0


def come_up(app: ClustersApplication, cloud: FakeProvisioner, at: datetime) -> None:
    """Every stack created and its EMR cluster waiting, announced to the app."""
    for name, stack in list(cloud.stacks.items()):
        app.stack_status_changed(name, "CREATE_COMPLETE", at)
        app.emr_state_changed(stack.emr_cluster_id, "WAITING", at)


# Profiles and pools ------------------------------------------------------------------------------


def test_seeding_registers_small_medium_and_large_once() -> None:
    app = an_app()
    assert app.seed(T0) == ["small", "medium", "large"]
    count = stored(app)
    assert app.seed(T0) == []
    assert stored(app) == count
    assert [p.name for p in app.list_profiles()] == ["small", "medium", "large"]
    assert app.get_profile("large") == SEED_PROFILES["large"]
    small = app.get_pool("small")
    assert (small.minimum, small.maximum, small.idle_ttl_seconds) == (1, 5, 900)
    assert small.clusters_by_state == {"REQUESTED": 1}


def test_a_new_profile_gets_a_pool_and_cannot_be_registered_twice() -> None:
    app = an_app()
    pool = app.register_profile(SOLO, 0, 4, 300, T0)
    assert (pool.profile, pool.slots_per_cluster, pool.clusters_by_state) == ("solo", 1, {})
    with pytest.raises(ProfileExists):
        app.register_profile(SOLO, 0, 4, 300, T0)
    assert [p.profile for p in app.list_pools()] == ["solo"]


@pytest.mark.parametrize(
    ("minimum", "maximum", "ttl", "field"),
    [(3, 2, 60, "minimum"), (0, -1, 60, "maximum"), (0, 2, -1, "idle_ttl_seconds")],
)
def test_thresholds_that_cannot_hold_are_refused_and_nothing_is_stored(
    minimum: int, maximum: int, ttl: int, field: str
) -> None:
    app = an_app()
    app.register_profile(SOLO, 0, 4, 300, T0)
    count = stored(app)
    with pytest.raises(InvalidThresholds) as refused:
        app.change_thresholds("solo", minimum, maximum, ttl, "api", T0)
    assert refused.value.field == field
    assert stored(app) == count


def test_thresholds_of_an_unknown_profile_or_from_an_unknown_source_are_refused() -> None:
    app = an_app()
    app.register_profile(SOLO, 0, 4, 300, T0)
    with pytest.raises(ProfileNotFound):
        app.change_thresholds("nope", 0, 1, 60, "api", T0)
    with pytest.raises(InvalidChangeSource):
        app.change_thresholds("solo", 0, 1, 60, "cli", T0)  # type: ignore[arg-type]


def test_raising_the_minimum_starts_clusters_in_passes_of_bounded_size() -> None:
    cloud = FakeProvisioner()
    app = an_app(cloud)
    app.register_profile(SOLO, 0, 40, 300, T0)
    pool = app.change_thresholds("solo", 20, 40, 300, "api", T0)
    assert pool.clusters_by_state == {"REQUESTED": STARTS_PER_PASS}
    rest = app.reconcile_pool("solo", T0)
    assert rest == [StartCluster("below_minimum")] * (20 - STARTS_PER_PASS)
    assert len(cloud.stacks) == 20


def test_lowering_the_maximum_decommissions_idle_clusters_at_once() -> None:
    cloud = FakeProvisioner()
    app = an_app(cloud)
    app.register_profile(SOLO, 3, 3, 3600, T0)
    come_up(app, cloud, T0)
    app.change_thresholds("solo", 0, 1, 3600, "api", T0 + timedelta(minutes=1))
    pool = app.get_pool("solo")
    assert pool.clusters_by_state == {"READY": 1, "DECOMMISSIONING": 2}
    assert [c.request_reason for c in app.list_clusters("solo")] == ["below_minimum"] * 3


def test_a_change_too_big_for_one_transaction_is_saved_in_parts() -> None:
    # Given 20 clusters that came up without a word to the service
    cloud = FakeProvisioner()
    app = an_app(cloud)
    app.register_profile(SOLO, 0, 20, 3600, T0)
    app.change_thresholds("solo", 20, 20, 3600, "api", T0)
    app.reconcile_pool("solo", T0)
    for name in list(cloud.stacks):
        cloud.set_emr_state(name, "WAITING")
        cloud.set_status(name, "CREATE_COMPLETE")
    sizes: list[int] = []
    insert = app.recorder.insert_events

    def counting(events: Any, **kwargs: Any) -> Any:
        sizes.append(len(events))
        return insert(events, **kwargs)

    app.recorder.insert_events = counting  # type: ignore[method-assign,assignment]
    # When the tick finds them all READY (about 80 events)
    app.tick(T0 + timedelta(minutes=10))
    # Then every one was saved, in transactions DynamoDB can hold
    assert app.get_pool("solo").clusters_by_state == {"READY": 20}
    assert sum(sizes) >= 80 and max(sizes) <= 40


# Queries -----------------------------------------------------------------------------------------


def test_clusters_are_listed_per_pool_and_found_by_id() -> None:
    cloud = FakeProvisioner()
    app = an_app(cloud)
    app.seed(T0)
    (small,) = app.list_clusters("small")
    assert app.list_clusters() == [small]
    assert app.get_cluster(small.cluster_id) == small
    assert (small.state, small.slots, small.stack_name) == ("REQUESTED", 2, cloud.created[0])
    with pytest.raises(ClusterNotFound):
        app.get_cluster(str(uuid.uuid4()))
    with pytest.raises(ClusterNotFound):
        app.get_cluster("not-an-id")
    with pytest.raises(ProfileNotFound):
        app.list_clusters("nope")


def test_jobs_of_an_unregistered_profile_are_counted_and_start_nothing() -> None:
    cloud = FakeProvisioner()
    app = an_app(cloud)
    app.job_submitted("job-1", "xlarge", T0, consumed=["e-1"])
    reason = app.job_allocated("job-1", "t-1", str(uuid.uuid4()), "xlarge", 1, 0, T0, ["e-2"])
    assert reason == "unknown_cluster"
    assert cloud.calls == []


def test_the_policy_decisions_are_returned_by_reconcile_pool() -> None:
    cloud = FakeProvisioner()
    app = an_app(cloud)
    app.register_profile(SOLO, 1, 2, 60, T0)
    come_up(app, cloud, T0)
    (cluster,) = app.list_clusters("solo")
    app.change_thresholds("solo", 0, 2, 60, "api", T0)
    assert app.reconcile_pool("solo", T0 + timedelta(seconds=59)) == []
    decisions = app.reconcile_pool("solo", T0 + timedelta(seconds=60))
    assert decisions == [Decommission(uuid.UUID(cluster.cluster_id), "idle_timeout")]


def test_long_lived_records_are_snapshotted_and_a_snapshot_holds_their_state() -> None:
    app = an_app()
    app.seed(T0)
    for n in range(120):
        app.job_submitted(f"job-{n}", "small", T0)
    for n in range(90):
        app.job_finished(f"job-{n}", None, T0)
    demand_id = Demand.id_for("small")
    assert app.store.snapshots is not None
    (snapshot,) = app.store.snapshots.get(demand_id, desc=True, limit=1)
    restored: Any = snapshot.mutate(None)  # type: ignore[attr-defined]
    replayed: Any = None
    for event in app.store.events.get(demand_id, lte=snapshot.originator_version):
        replayed = event.mutate(replayed)  # type: ignore[attr-defined]
    assert restored.version == 200
    assert (restored.queued, restored.done) == (replayed.queued, replayed.done)
    assert app.get_pool("small").queued_jobs == 30
