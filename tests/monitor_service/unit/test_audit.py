"""The audit log: every consumed event once, queries, pagination, a job's timeline."""

from __future__ import annotations

import random

import pytest

from backbone.eventstore import AlreadyConsumed
from bench.monitor_scenario import generate
from monitor_service.domain import AuditQuery, InvalidQuery
from tests.monitor_service import support as s


def _all(world: s.World, **filters: object) -> list[str]:
    """Every page of a query, followed by cursor; the event ids in order."""
    found, cursor = [], None
    while True:
        page = world.app.audit_events(AuditQuery(limit=7, after=cursor, **filters))
        found += [record.event_id for record in page.records]
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def test_an_event_delivered_twice_is_recorded_once() -> None:
    world = s.World()
    event = s.submitted("a", 0)
    assert world.deliver(event).value == "handled"
    assert world.deliver(event).value == "duplicate"
    assert [r.event_id for r in world.app.job_timeline("a")] == [event.event_id]


def test_recording_a_known_event_directly_raises_already_consumed() -> None:
    world = s.World()
    world.app.record(s.submitted("a", 0), at=s.at(1))
    with pytest.raises(AlreadyConsumed):
        world.app.record(s.submitted("a", 0), at=s.at(2))


def test_an_aws_event_is_recorded_under_its_envelope_id() -> None:
    world = s.World()
    envelope = s.emr_step_change("j-ABC", "s-1", "COMPLETED", 5)
    world.deliver(envelope)
    world.deliver(envelope)
    (record,) = world.app.audit_events(AuditQuery(detail_type="EMR Step Status Change")).records
    assert (record.event_id, record.source) == (envelope["id"], "aws.emr")
    assert record.detail["stepId"] == "s-1"


def test_duplicates_and_reorders_change_neither_the_log_nor_the_models() -> None:
    # Given a realistic stream, delivered in order to one monitor
    events = generate(jobs=60, seed=3)
    in_order = s.World()
    in_order.deliver_all(events)
    # When another gets it shuffled, a third of it twice
    shuffled = list(events) + random.Random(1).sample(events, len(events) // 3)
    random.Random(2).shuffle(shuffled)
    mixed = s.World()
    mixed.deliver_all([(events[-1][0], e) for _, e in shuffled])
    # Then both hold the same records, answer the same queries, and the same metrics
    assert _all(in_order) == _all(mixed)
    assert _all(in_order, tenant_id="acme") == _all(mixed, tenant_id="acme")
    end = s.at(events[-1][0] + 60)
    live, other = in_order.app.metrics(end), mixed.app.metrics(end)
    assert {k: v for k, v in live.items() if k != "service_up"} == {
        k: v for k, v in other.items() if k != "service_up"
    }


def test_queries_filter_by_time_type_tenant_and_page_without_gaps_or_overlaps() -> None:
    world = s.World()
    world.deliver_all([(t, e) for t, e in generate(jobs=40, seed=5)])
    everything = _all(world)
    assert len(everything) == len(set(everything)) == len(world.app.current_board().audit)
    window = _all(world, start=s.at(600), end=s.at(1800))
    records = [
        world.app.current_board().audit.page(
            AuditQuery(limit=1000, start=s.at(600), end=s.at(1800))
        )
    ]
    assert window == [r.event_id for r in records[0].records]
    assert all(s.at(600) <= r.occurred_at < s.at(1800) for r in records[0].records)
    submitted = world.app.audit_events(AuditQuery(detail_type="JobSubmitted", limit=1000))
    assert len(submitted.records) == 40
    assert all(r.detail_type == "JobSubmitted" for r in submitted.records)
    acme = world.app.audit_events(AuditQuery(tenant_id="acme", limit=1000)).records
    assert acme and all(r.tenant_id == "acme" for r in acme)


def test_a_jobs_timeline_crosses_services_in_time_order() -> None:
    # Given a job's events from the job service, the cluster service and EMR, out of order
    world = s.World()
    timeline = [
        s.submitted("a", 0),
        s.allocated("a", 10, "c-1"),
        s.event(
            "AllocationRejected",
            11,
            job_id="a",
            tenant_id="t1",
            cluster_id="c-1",
            attempt=1,
            reason="decommissioning",
        ),
        s.event(
            "JobRequeued",
            12,
            job_id="a",
            tenant_id="t1",
            reason="allocation_rejected",
            attempt=1,
            cluster_id="c-1",
            retry_at=s.at(12),
        ),
        s.allocated("a", 20, "c-2"),
        s.started("a", 22, "c-2", step="s-A2"),
        s.event(
            "ClusterFailed",
            30,
            cluster_id="c-2",
            cluster_profile="small",
            reason="lost",
            lost_job_ids=["a", "b"],
        ),
        s.emr_step_change("j-C2", "s-A2", "INTERRUPTED", 31),
    ]
    others = [s.submitted("b", 1), s.emr_step_change("j-C2", "s-B1", "RUNNING", 25)]
    for event in [timeline[-1], *others, *reversed(timeline[:-1])]:
        world.deliver(event)
    # Then its timeline holds exactly its own, in the order they happened
    recorded = world.app.job_timeline("a")
    expected = [e["id"] if isinstance(e, dict) else e.event_id for e in timeline]
    assert [r.event_id for r in recorded] == expected
    assert [r.source for r in recorded][-2:] == ["emr-control-plane.cluster-service", "aws.emr"]
    assert _all(world, job_id="a") == expected
    assert world.app.job_timeline("unknown") == []


def test_emr_states_stamped_in_one_second_keep_their_sequence_in_the_timeline() -> None:
    # Given a job's step going PENDING, RUNNING and COMPLETED, the first two stamped in one
    # second (EMR's times are whole seconds) and the RUNNING event's id sorting first
    world = s.World()
    world.deliver(s.started("a", 22, "c-2", step="s-A1"))
    pending = s.emr_step_change("j-C2", "s-A1", "PENDING", 23)
    running = s.emr_step_change("j-C2", "s-A1", "RUNNING", 23)
    completed = s.emr_step_change("j-C2", "s-A1", "COMPLETED", 23)
    pending["id"], running["id"], completed["id"] = "e-3", "e-2", "e-1"
    for event in (completed, running, pending):
        world.deliver(event)
    # Then the timeline, and the audit log paged one by one, keep the states' own order
    states = [r.detail.get("state") for r in world.app.job_timeline("a")]
    assert states == [None, "PENDING", "RUNNING", "COMPLETED"]
    paged, cursor = [], None
    while True:
        page = world.app.audit_events(AuditQuery(limit=1, after=cursor, job_id="a"))
        paged += [r.detail.get("state") for r in page.records]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert paged == states


def test_a_record_keeps_the_event_as_json() -> None:
    world = s.World()
    world.set(5)
    world.deliver(s.submitted("a", 0, tenant="acme", priority="high"))
    (record,) = world.app.job_timeline("a")
    as_dict = record.to_dict()
    assert as_dict["detail"]["priority"] == "high"
    assert (as_dict["tenant_id"], as_dict["job_id"], as_dict["cluster_id"]) == ("acme", "a", None)
    assert (as_dict["occurred_at"], as_dict["recorded_at"]) == (
        "2024-01-01T00:00:00+00:00",
        "2024-01-01T00:00:05+00:00",
    )


@pytest.mark.parametrize(
    "fields", [{"limit": 0}, {"limit": 1001}, {"start": s.at(10), "end": s.at(5)}]
)
def test_an_unusable_query_says_what_to_fix(fields: dict[str, object]) -> None:
    with pytest.raises(InvalidQuery):
        AuditQuery(**fields)


def test_a_malformed_cursor_is_refused() -> None:
    world = s.World()
    with pytest.raises(InvalidQuery, match="after"):
        world.app.audit_events(AuditQuery(after="nonsense"))
