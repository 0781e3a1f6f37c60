"""Logs written before Demand, ProfileRecord, ProfileCatalog, PoolRoster and EmrLink moved from
`cluster_service.application` to `cluster_service.domain` are still read: their stored events and
snapshots name the old modules in their topics."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

from cluster_service.application.store import ClusterStore
from cluster_service.domain.demand import Demand
from cluster_service.domain.profiles import SEED_PROFILES
from cluster_service.domain.records import EmrLink, PoolRoster, ProfileCatalog, ProfileRecord

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
MOVED = {
    "cluster_service.domain.demand": "cluster_service.application.demand",
    "cluster_service.domain.records": "cluster_service.application.records",
}


def as_stored_before_the_move(stored: StoredEvent) -> StoredEvent:
    """The same record as the old code wrote it: topics (and a snapshot's state) name the old
    module."""
    topic, state = stored.topic, stored.state
    for new, old in MOVED.items():
        topic = topic.replace(new + ":", old + ":")
        state = state.replace(new.encode() + b":", old.encode() + b":")
    return replace(stored, topic=topic, state=state)


def written_the_old_way(*aggregates: Any) -> ClusterStore:
    """A store whose log holds the aggregates' events under the old topics."""
    writer, reader = ClusterStore(), ClusterStore()
    writer.save(*aggregates)
    for aggregate in aggregates:
        old = [
            as_stored_before_the_move(stored)
            for stored in writer.recorder.select_events(aggregate.id)
        ]
        assert all(s.topic.startswith("cluster_service.application.") for s in old)
        reader.recorder.insert_events(old)
    return reader


def test_every_moved_aggregate_is_read_from_events_stored_under_its_old_topic() -> None:
    demand = Demand.open("small", T0)
    demand.queue("job-1", T0)
    demand.queue("job-2", T0)
    demand.take("job-1", "c-1#1", T0)
    demand.reject("job-2", "tenant", "c-2", 1, "unknown_cluster", T0)
    demand.finish("job-1", T0)
    record = ProfileRecord.register(SEED_PROFILES["small"], T0)
    record.update(replace(SEED_PROFILES["small"], core_instance_count=4), T0)
    catalog = ProfileCatalog.open(T0)
    catalog.add("small", T0)
    roster = PoolRoster.open("small", T0)
    roster.join(uuid.uuid4(), "emrcp-small-0123456789ab", T0)
    roster.orphan_found("emrcp-small-ba9876543210", "arn:stack", "CREATE_COMPLETE", None, T0)
    roster.ssm_applied("7", T0)
    link = EmrLink.link("j-ABC", uuid.uuid4(), T0)

    store = written_the_old_way(demand, record, catalog, roster, link)

    assert vars(store.repository.get(demand.id)) == vars(demand)
    found = store.get(ProfileRecord.id_for("small"), ProfileRecord)
    assert found is not None and found.profile == record.profile
    assert store.profile_names() == ["small"]
    assert vars(store.repository.get(roster.id)) == vars(roster)
    assert vars(store.repository.get(link.id)) == vars(link)


def test_a_snapshot_stored_under_the_old_topic_is_read() -> None:
    writer = ClusterStore()
    demand = Demand.open("small", T0)
    for n in range(3):
        demand.queue(f"job-{n}", T0)
    writer.save(demand)
    writer.take_snapshot(demand.id)
    assert writer.snapshots is not None
    (snapshot,) = writer.snapshots.recorder.select_events(demand.id)
    assert b"cluster_service.domain.demand:Demand" in snapshot.state

    reader = ClusterStore()
    assert reader.snapshots is not None
    reader.snapshots.recorder.insert_events([as_stored_before_the_move(snapshot)])
    found = reader.repository.get(demand.id)
    assert isinstance(found, Demand)
    assert list(found.queued) == ["job-0", "job-1", "job-2"]


@pytest.mark.parametrize(
    "topic",
    [
        "cluster_service.application.demand:Demand",
        "cluster_service.application.demand:Demand.Rejected",
        "cluster_service.application.records:PoolRoster.OrphanFound",
        "cluster_service.application.records:EmrLink.Linked",
    ],
)
def test_old_topics_resolve_to_the_moved_classes(topic: str) -> None:
    moved = resolve_topic(topic)
    assert get_topic(moved).startswith("cluster_service.domain.")
