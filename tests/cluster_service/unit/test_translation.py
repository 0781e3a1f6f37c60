"""translate: stored domain events → integration events, each as of its own version."""

from __future__ import annotations

from typing import Any

from cluster_service.application import translator_for
from events.schemas import ClusterFailed, ClusterIdle, IntegrationEvent, derived_event_id
from tests.cluster_service.handlers_support import World, a_world_at_rest


def translate_all(world: World, order: Any = list) -> dict[int, IntegrationEvent | None]:
    """Every stored event, translated by a translator of its own (a fresh relay process)."""
    translate = translator_for(world.app)
    notifications = world.app.recorder.select_notifications(start=1, limit=10_000)
    return {n.id: translate(n, _event_id(n)) for n in order(notifications)}


def _event_id(n: Any) -> str:
    return derived_event_id("cluster-service", str(n.originator_id), n.originator_version)


def topics(world: World) -> dict[int, str]:
    found = world.app.recorder.select_notifications(start=1, limit=10_000)
    return {n.id: n.topic.rpartition(":")[2] for n in found}


def busy_world() -> World:
    """Two jobs run and finish on the one cluster; a second cluster fails to start."""
    world = a_world_at_rest()
    jobs = world.submit(3)
    placed = world.fill(jobs[:2])
    for job_id, cluster_id, _ in placed:
        world.send(world.succeeded(job_id, cluster_id))
    world.stack(world.cloud.created[1], "CREATE_FAILED", "x" * 3000)
    return world


def test_only_announcing_events_are_published_and_internal_ones_are_not() -> None:
    world = busy_world()
    translated = translate_all(world)
    published = {topics(world)[nid] for nid, e in translated.items() if e is not None}
    internal = {topics(world)[nid] for nid, e in translated.items() if e is None}
    assert published == {
        "Pool.Created",
        "Cluster.Requested",
        "Cluster.Advanced",
        "Cluster.SlotReleased",
        "Cluster.Failed",
        "Cluster.DecommissionRequested",
    }
    assert internal >= {
        "ProfileRecord.Registered",
        "ProfileCatalog.Added",
        "PoolRoster.Joined",
        "Demand.Queued",
        "Demand.Took",
        "Cluster.SlotAllocated",
        "Cluster.EmrClusterIdentified",
        "EmrLink.Linked",
    }


def test_a_cold_translator_reading_out_of_order_agrees_with_the_relay() -> None:
    world = busy_world()
    in_order = translate_all(world)
    backwards = translate_all(world, order=lambda ns: list(reversed(ns)))
    assert backwards == in_order
    assert [e for e in in_order.values() if e is not None] == world.published


def test_each_event_is_translated_as_of_its_own_version() -> None:
    world = busy_world()
    idle = [e.free_slots for e in translate_all(world).values() if isinstance(e, ClusterIdle)]
    assert idle == [1, 2]


def test_the_same_stored_event_keeps_its_event_id() -> None:
    world = busy_world()
    first, again = translate_all(world), translate_all(world)
    assert [e.event_id for e in first.values() if e] == [e.event_id for e in again.values() if e]


def test_a_long_failure_reason_is_cut_to_what_the_schema_allows() -> None:
    world = busy_world()
    (failed,) = world.of(ClusterFailed)
    assert len(failed.reason) == 2048
    assert failed.reason.startswith("stack CREATE_FAILED: xxx")


def test_a_cached_cluster_catches_up_on_the_events_in_between_not_its_whole_history() -> None:
    world = busy_world()
    expected = translate_all(world)
    app: Any = world.app
    translate = translator_for(app)
    notifications = app.recorder.select_notifications(start=1, limit=10_000)
    versions: list[int | None] = []
    reconstruct = app.repository.get

    def counting_get(aggregate_id: Any, **kwargs: Any) -> Any:
        versions.append(kwargs.get("version"))
        return reconstruct(aggregate_id, **kwargs)

    app.repository.get = counting_get
    in_order = {n.id: translate(n, _event_id(n)) for n in notifications}
    assert in_order == expected
    # no rebuild from the store: each announced aggregate's first event (its creation) builds
    # it, and the slot events a cluster goes through between two announced ones are applied
    # to the cached copy
    announced = {n.originator_id for n in notifications if in_order[n.id] is not None}
    assert len(announced) == 5
    assert versions == []
