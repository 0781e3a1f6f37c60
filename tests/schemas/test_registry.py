"""The registry and the EventBridge wire forms: PutEvents entries and delivered envelopes."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from events.schemas import (
    CLUSTER_SERVICE_SOURCE,
    EVENT_TYPES,
    JOB_SERVICE_SOURCE,
    MONITOR_SERVICE_SOURCE,
    REGISTRY,
    EventTooLarge,
    Heartbeat,
    IntegrationEvent,
    JobSubmitted,
    SourceMismatch,
    UnknownEventType,
    derived_event_id,
    event_type,
    from_eventbridge_envelope,
    new_event_id,
    parse_detail,
    to_envelope,
    to_put_events_entry,
)
from tests.schemas.strategies import SLOW_MACHINE_SAFE, events_of

NOW = datetime(2025, 3, 1, 12, 0, 30, 250000, tzinfo=UTC)
BUS = "emr-control-plane"


def concrete_subclasses(cls: type[IntegrationEvent]) -> set[type[IntegrationEvent]]:
    """Every subclass that defines its own detail_type, however deep."""
    found = set()
    for sub in cls.__subclasses__():
        if "detail_type" in vars(sub):
            found.add(sub)
        found |= concrete_subclasses(sub)
    return found


def leaf_subclasses(cls: type[IntegrationEvent]) -> set[type[IntegrationEvent]]:
    subs = cls.__subclasses__()
    return set().union(*(leaf_subclasses(sub) for sub in subs)) if subs else {cls}


def heartbeat(service: str = "cluster-service") -> Heartbeat:
    return Heartbeat.model_validate(
        {
            "event_id": new_event_id(),
            "occurred_at": NOW,
            "service": service,
            "instance_id": "i-1",
            "sequence": 7,
        }
    )


def test_the_registry_holds_every_concrete_event_class_and_nothing_else() -> None:
    assert set(REGISTRY.values()) == concrete_subclasses(IntegrationEvent)
    assert leaf_subclasses(IntegrationEvent) == set(EVENT_TYPES)
    assert len(EVENT_TYPES) == len(REGISTRY) == 20


@pytest.mark.parametrize("model", EVENT_TYPES, ids=lambda model: model.__name__)
def test_every_detail_type_equals_its_class_name_and_is_its_registry_key(
    model: type[IntegrationEvent],
) -> None:
    assert model.detail_type == model.__name__
    assert REGISTRY[model.detail_type] is model


PUBLISHERS = {
    JOB_SERVICE_SOURCE: "JobSubmitted JobAllocated JobStarted JobSucceeded JobFailed JobRequeued "
    "JobCancelled",
    CLUSTER_SERVICE_SOURCE: "ClusterRequested ClusterReady ClusterIdle ClusterDecommissioning "
    "ClusterTerminated ClusterFailed AllocationRejected PoolThresholdsChanged OrphanStackFound",
    MONITOR_SERVICE_SOURCE: "ClusterUnhealthy ServiceUnhealthy SlaBreached",
}


@pytest.mark.parametrize("source", PUBLISHERS)
def test_each_service_publishes_its_own_events_under_its_source(source: str) -> None:
    assert {name: REGISTRY[name].sources() for name in PUBLISHERS[source].split()} == {
        name: (source,) for name in PUBLISHERS[source].split()
    }


def test_given_an_unknown_detail_type_when_parsing_then_unknown_event_type_names_it() -> None:
    with pytest.raises(UnknownEventType, match="JobExploded") as caught:
        parse_detail("JobExploded", {})
    assert caught.value.detail_type == "JobExploded"
    with pytest.raises(LookupError):
        event_type("JobExploded")


@SLOW_MACHINE_SAFE
@given(event=st.one_of([events_of(model) for model in EVENT_TYPES]))
def test_given_any_event_when_put_on_the_bus_and_delivered_then_the_consumer_gets_it_back(
    event: IntegrationEvent,
) -> None:
    entry = to_put_events_entry(event, BUS)
    envelope = {
        "version": "0",
        "id": new_event_id(),
        "detail-type": entry["DetailType"],
        "source": entry["Source"],
        "time": "2025-03-01T12:00:30Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": json.loads(entry["Detail"]),
    }
    assert from_eventbridge_envelope(envelope) == event
    assert from_eventbridge_envelope(json.dumps(envelope)) == event


def test_a_put_events_entry_has_the_fields_eventbridge_needs() -> None:
    event = heartbeat()
    entry = to_put_events_entry(event, BUS)
    assert entry == {
        "Source": "emr-control-plane.cluster-service",
        "DetailType": "Heartbeat",
        "Detail": event.model_dump_json(),
        "EventBusName": BUS,
        "Time": NOW,
    }


def test_given_a_huge_event_when_making_its_entry_then_event_too_large() -> None:
    parameters = {f"p{i}": "x" * 4096 for i in range(70)}
    event = JobSubmitted.model_validate(_submitted(parameters=parameters))
    with pytest.raises(EventTooLarge, match="over the 262144-byte limit"):
        to_put_events_entry(event, BUS)


def test_given_an_envelope_without_account_as_moto_sends_it_then_it_is_accepted() -> None:
    event = JobSubmitted.model_validate(_submitted())
    envelope = to_envelope(event, account=None)
    assert "account" not in envelope
    assert from_eventbridge_envelope(envelope) == event


def test_to_envelope_writes_time_as_eventbridge_does() -> None:
    envelope = to_envelope(heartbeat())
    assert envelope["time"] == "2025-03-01T12:00:30Z"
    assert envelope["version"] == "0"


def test_given_an_event_under_another_services_source_when_parsed_then_source_mismatch() -> None:
    envelope = to_envelope(JobSubmitted.model_validate(_submitted()))
    envelope["source"] = CLUSTER_SERVICE_SOURCE
    with pytest.raises(SourceMismatch, match="expected one of"):
        from_eventbridge_envelope(envelope)


@pytest.mark.parametrize("service", ["job-service", "cluster-service", "monitor-service"])
def test_heartbeats_travel_under_the_beating_services_own_source(service: str) -> None:
    event = heartbeat(service)
    assert event.bus_source == f"emr-control-plane.{service}"
    assert event.bus_source in Heartbeat.sources()
    assert from_eventbridge_envelope(to_envelope(event)) == event


def test_given_a_heartbeat_under_a_source_other_than_its_service_then_source_mismatch() -> None:
    envelope = to_envelope(heartbeat("job-service"))
    envelope["source"] = MONITOR_SERVICE_SOURCE
    with pytest.raises(SourceMismatch):
        from_eventbridge_envelope(envelope)


def test_derived_event_ids_are_stable_uuids_that_differ_per_input() -> None:
    first = derived_event_id("job-1", 3)
    assert first == derived_event_id("job-1", 3)
    assert first != derived_event_id("job-1", 4)
    assert derived_event_id("a/b", 1) != derived_event_id("a", "b/1")
    JobSubmitted.model_validate(_submitted(event_id=first))


def _submitted(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "event_id": new_event_id(),
        "occurred_at": NOW,
        "job_id": "job-1",
        "tenant_id": "tenant-a",
        "job_profile": "scoring",
        "cluster_profile": "spark-small",
        "priority": "normal",
        "name": "nightly scoring",
        "timeout_seconds": 600,
        "submitted_at": NOW,
    }
    return {**fields, **changes}
