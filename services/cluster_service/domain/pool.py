"""A pool of clusters per cluster profile: the Pool aggregate and its thresholds.

The Pool records MINIMUM, MAXIMUM and the idle TTL, and who changed them last; the policy that
sizes the pool from them is `policy.decide`.
"""

from datetime import datetime
from typing import Final, Literal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from cluster_service.domain.errors import InvalidChangeSource, InvalidThresholds
from cluster_service.domain.profiles import check_profile_name

ChangeSource = Literal["api", "ssm"]
CHANGE_SOURCES: Final = frozenset({"api", "ssm"})
_POOL_NAMESPACE: Final = uuid5(NAMESPACE_URL, "emr-control-plane:pool")


def check_thresholds(minimum: int, maximum: int, idle_ttl_seconds: int) -> None:
    """Raise InvalidThresholds naming the first field that cannot hold."""
    for name, value, least in (
        ("minimum", minimum, 0),
        ("maximum", maximum, 1),
        ("idle_ttl_seconds", idle_ttl_seconds, 0),
    ):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidThresholds(name, f"must be a whole number, not {value!r}")
        if value < least:
            raise InvalidThresholds(name, f"must be at least {least}, not {value}")
    if minimum > maximum:
        raise InvalidThresholds("minimum", f"{minimum} is above maximum {maximum}")


def _check_source(changed_by: str) -> None:
    if changed_by not in CHANGE_SOURCES:
        raise InvalidChangeSource(f"changed_by must be 'api' or 'ssm', not {changed_by!r}")


class Pool(Aggregate):
    """The clusters of one cluster profile, kept between MINIMUM and MAXIMUM."""

    class Created(Aggregate.Created):
        profile: str
        minimum: int
        maximum: int
        idle_ttl_seconds: int
        changed_by: str

    def __init__(
        self, profile: str, minimum: int, maximum: int, idle_ttl_seconds: int, changed_by: str
    ) -> None:
        self.profile = profile
        self.minimum = minimum
        self.maximum = maximum
        self.idle_ttl_seconds = idle_ttl_seconds
        self.changed_by = changed_by

    @staticmethod
    def id_for(profile: str) -> UUID:
        """One pool per profile: its id follows from the profile's name."""
        return uuid5(_POOL_NAMESPACE, profile)

    @classmethod
    def create(
        cls,
        profile: str,
        minimum: int,
        maximum: int,
        idle_ttl_seconds: int,
        changed_by: ChangeSource,
        at: datetime,
    ) -> "Pool":
        check_profile_name(profile)
        check_thresholds(minimum, maximum, idle_ttl_seconds)
        _check_source(changed_by)
        return cls._create(
            cls.Created,
            id=cls.id_for(profile),
            profile=profile,
            minimum=minimum,
            maximum=maximum,
            idle_ttl_seconds=idle_ttl_seconds,
            changed_by=changed_by,
            timestamp=at,
        )

    def change_thresholds(
        self,
        minimum: int,
        maximum: int,
        idle_ttl_seconds: int,
        changed_by: ChangeSource,
        at: datetime,
    ) -> bool:
        """Validate, then record new limits; False (and nothing recorded) if they are the same."""
        check_thresholds(minimum, maximum, idle_ttl_seconds)
        _check_source(changed_by)
        if (minimum, maximum, idle_ttl_seconds) == (
            self.minimum,
            self.maximum,
            self.idle_ttl_seconds,
        ):
            return False
        self.trigger_event(
            self.ThresholdsChanged,
            minimum=minimum,
            maximum=maximum,
            idle_ttl_seconds=idle_ttl_seconds,
            changed_by=changed_by,
            timestamp=at,
        )
        return True

    class ThresholdsChanged(Aggregate.Event):
        minimum: int
        maximum: int
        idle_ttl_seconds: int
        changed_by: str

        def apply(self, pool: "Pool") -> None:
            pool.minimum = self.minimum
            pool.maximum = self.maximum
            pool.idle_ttl_seconds = self.idle_ttl_seconds
            pool.changed_by = self.changed_by
