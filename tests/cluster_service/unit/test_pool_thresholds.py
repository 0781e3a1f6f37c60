"""A pool's thresholds: validated before they change, and who changed them is recorded."""

from __future__ import annotations

from datetime import timedelta
from typing import get_args
from uuid import UUID

import pytest
from eventsourcing.application import Application

from cluster_service.domain.errors import InvalidChangeSource, InvalidThresholds
from cluster_service.domain.lifecycle import ClusterRequestReason, DecommissionReason
from cluster_service.domain.pool import Pool
from events.schemas import clusters as schema
from tests.cluster_service.support import T0


def a_pool() -> Pool:
    return Pool.create("small", 1, 3, 600, "api", T0)


def test_a_pool_is_created_with_its_thresholds_and_source() -> None:
    pool = a_pool()
    assert (pool.profile, pool.minimum, pool.maximum, pool.idle_ttl_seconds) == ("small", 1, 3, 600)
    assert pool.changed_by == "api"
    assert pool.created_on == T0


def test_a_profile_has_one_pool_whose_id_follows_from_its_name() -> None:
    assert a_pool().id == Pool.id_for("small") == a_pool().id
    assert Pool.id_for("small") != Pool.id_for("large")


def test_given_a_pool_when_ssm_changes_its_thresholds_then_they_are_recorded() -> None:
    pool = a_pool()
    assert pool.change_thresholds(0, 5, 120, "ssm", T0 + timedelta(hours=1))
    assert (pool.minimum, pool.maximum, pool.idle_ttl_seconds) == (0, 5, 120)
    assert pool.changed_by == "ssm"
    assert pool.modified_on == T0 + timedelta(hours=1)


def test_the_same_thresholds_again_record_nothing() -> None:
    pool = a_pool()
    pool.collect_events()
    assert not pool.change_thresholds(1, 3, 600, "ssm", T0)
    assert pool.collect_events() == []


@pytest.mark.parametrize(
    ("minimum", "maximum", "ttl", "field"),
    [
        (-1, 3, 600, "minimum"),
        (1, -1, 600, "maximum"),
        (1, 3, -5, "idle_ttl_seconds"),
        (4, 3, 600, "minimum"),
        (1.5, 3, 600, "minimum"),
        (1, True, 600, "maximum"),
        (1, 3, "600", "idle_ttl_seconds"),
        (1001, 1001, 600, "minimum"),
        (1, 1001, 600, "maximum"),
        (1, 3, 604_801, "idle_ttl_seconds"),
    ],
)
def test_invalid_thresholds_are_refused_naming_the_field(
    minimum: int, maximum: int, ttl: int, field: str
) -> None:
    pool = a_pool()
    with pytest.raises(InvalidThresholds) as refused:
        pool.change_thresholds(minimum, maximum, ttl, "api", T0)
    assert refused.value.field == field
    assert (pool.minimum, pool.maximum, pool.idle_ttl_seconds) == (1, 3, 600)


def test_invalid_thresholds_are_refused_at_creation_too() -> None:
    with pytest.raises(InvalidThresholds, match="above maximum"):
        Pool.create("small", 3, 2, 0, "api", T0)


def test_minimum_equal_to_maximum_and_a_zero_ttl_are_allowed() -> None:
    pool = a_pool()
    assert pool.change_thresholds(0, 1, 0, "api", T0)
    assert pool.change_thresholds(2, 2, 0, "api", T0)


def test_thresholds_change_only_through_the_api_or_ssm() -> None:
    with pytest.raises(InvalidChangeSource):
        a_pool().change_thresholds(1, 3, 600, "console", T0)  # type: ignore[arg-type]


def test_a_stored_pool_comes_back_the_same() -> None:
    app = Application[UUID]()
    pool = a_pool()
    pool.change_thresholds(2, 4, 60, "ssm", T0)
    app.save(pool)
    assert app.repository.get(pool.id).__dict__ == pool.__dict__


def test_the_domain_reasons_are_the_schema_reasons() -> None:
    assert get_args(ClusterRequestReason) == get_args(schema.ClusterRequestReason)
    assert get_args(DecommissionReason) == get_args(schema.DecommissionReason)
