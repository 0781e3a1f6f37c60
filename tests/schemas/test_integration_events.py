"""The integration event models: round trips, closed and frozen models, field validation."""

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from events.schemas import (
    EVENT_TYPES,
    ClusterIdle,
    ClusterReady,
    IntegrationEvent,
    JobSubmitted,
    PoolThresholdsChanged,
    SlaBreached,
    parse_detail,
)
from tests.schemas.strategies import SLOW_MACHINE_SAFE, events_of

ALL_EVENTS = st.one_of([events_of(model) for model in EVENT_TYPES])
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
EVENT_ID = "0b6f7c1e-3c1d-4f0a-9a65-0d8a3c3a9e11"


def job_submitted(**changes: Any) -> dict[str, Any]:
    """Valid JobSubmitted fields, with some changed."""
    fields: dict[str, Any] = {
        "event_id": EVENT_ID,
        "occurred_at": NOW,
        "job_id": "job-1",
        "tenant_id": "tenant-a",
        "job_profile": "churn-training",
        "cluster_profile": "spark-small",
        "priority": "high",
        "name": "Churn model, March",
        "parameters": {"epochs": 10, "rate": 0.1, "shuffle": True, "input": "s3://b/k"},
        "max_attempts": 3,
        "timeout_seconds": 3600,
        "submitted_at": NOW,
    }
    return {**fields, **changes}


@settings(SLOW_MACHINE_SAFE, max_examples=200)
@given(event=ALL_EVENTS)
def test_given_any_event_when_dumped_to_json_and_parsed_then_it_is_equal(
    event: IntegrationEvent,
) -> None:
    assert type(event).model_validate_json(event.model_dump_json()) == event


@settings(SLOW_MACHINE_SAFE, max_examples=200)
@given(event=ALL_EVENTS)
def test_given_any_event_when_its_json_mode_dict_is_parsed_by_detail_type_then_it_is_equal(
    event: IntegrationEvent,
) -> None:
    assert parse_detail(event.detail_type, event.model_dump(mode="json")) == event


def test_given_a_valid_job_submitted_when_built_then_parameters_keep_their_types() -> None:
    event = JobSubmitted(**job_submitted())
    again = parse_detail("JobSubmitted", event.model_dump_json())
    assert isinstance(again, JobSubmitted)
    assert again.parameters == {"epochs": 10, "rate": 0.1, "shuffle": True, "input": "s3://b/k"}
    assert [type(value) for value in again.parameters.values()] == [int, float, bool, str]


def test_given_an_unknown_field_when_building_then_it_is_rejected() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        JobSubmitted(**job_submitted(colour="blue"))


def test_given_an_unknown_field_when_parsing_then_it_is_rejected_unless_read_tolerantly() -> None:
    detail = JobSubmitted(**job_submitted()).model_dump(mode="json") | {"colour": "blue"}
    with pytest.raises(ValidationError):
        parse_detail("JobSubmitted", detail)
    assert parse_detail("JobSubmitted", detail, extra="ignore") == JobSubmitted(**job_submitted())


def test_given_an_event_when_assigning_a_field_then_it_is_refused() -> None:
    event = JobSubmitted(**job_submitted())
    with pytest.raises(ValidationError, match="frozen"):
        event.priority = "low"


def test_given_an_event_then_it_is_hashable_and_equal_by_value() -> None:
    first, second = ClusterIdle(**_idle()), ClusterIdle(**_idle())
    assert first == second
    assert len({first, second}) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("event_id", "not-a-uuid"),
        ("occurred_at", datetime(2025, 3, 1, 12, 0)),
        ("schema_version", 2),
        ("job_id", ""),
        ("tenant_id", "tenant a"),
        ("priority", "urgent"),
        ("name", ""),
        ("max_attempts", 0),
        ("timeout_seconds", 0),
        ("parameters", {"bad key": 1}),
        ("parameters", {"nan": float("nan")}),
        ("parameters", {"nested": {"a": 1}}),
    ],
)
def test_given_an_invalid_job_submitted_field_when_building_then_it_is_rejected(
    field: str, value: Any
) -> None:
    with pytest.raises(ValidationError):
        JobSubmitted(**job_submitted(**{field: value}))


def test_given_a_naive_time_when_building_then_the_error_names_the_field() -> None:
    with pytest.raises(ValidationError, match="occurred_at"):
        JobSubmitted(**job_submitted(occurred_at=datetime(2025, 3, 1)))


def _idle(**changes: Any) -> dict[str, Any]:
    fields = {"event_id": EVENT_ID, "occurred_at": NOW, "cluster_id": "c-1"}
    return {**fields, "cluster_profile": "spark-small", "free_slots": 2, **changes}


def test_given_no_free_slot_when_building_cluster_idle_then_it_is_rejected() -> None:
    with pytest.raises(ValidationError, match="free_slots"):
        ClusterIdle(**_idle(free_slots=0))


@pytest.mark.parametrize("emr_cluster_id", ["", "i-123", "j-"])
def test_given_a_bad_emr_cluster_id_when_building_cluster_ready_then_it_is_rejected(
    emr_cluster_id: str,
) -> None:
    fields = _idle(emr_cluster_id=emr_cluster_id, slots=4)
    del fields["free_slots"]
    with pytest.raises(ValidationError, match="emr_cluster_id"):
        ClusterReady(**fields)


def test_given_minimum_above_maximum_when_building_pool_thresholds_then_it_is_rejected() -> None:
    with pytest.raises(ValidationError, match="minimum 3 is above maximum 2"):
        PoolThresholdsChanged(
            event_id=EVENT_ID,
            occurred_at=NOW,
            cluster_profile="spark-small",
            minimum=3,
            maximum=2,
            idle_ttl_seconds=600,
        )


def test_given_a_wait_below_target_when_building_sla_breached_then_it_is_rejected() -> None:
    with pytest.raises(ValidationError, match="not a breach"):
        SlaBreached(
            event_id=EVENT_ID,
            occurred_at=NOW,
            job_id="job-1",
            tenant_id="tenant-a",
            priority="critical",
            waited_seconds=10,
            target_seconds=60,
        )
