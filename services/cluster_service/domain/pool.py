"""A pool of clusters per cluster profile: the Pool aggregate and its thresholds.

The Pool records MINIMUM, MAXIMUM and the idle TTL, and who changed them last; the policy that
sizes the pool from them is `policy.decide`. MAXIMUM 0 (with MINIMUM 0) drains the pool: no
cluster is started. A pool may also keep a MINIMUM schedule (`domain.schedule`): every unit of
work on the pool first follows it (`follow_schedule`), recording ScheduledMinimumChanged when the
hour's value changes the effective MINIMUM, so the audit shows when and why it moved.
"""

import functools
from datetime import datetime
from typing import Final, Literal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from cluster_service.domain.errors import InvalidChangeSource, InvalidThresholds
from cluster_service.domain.profiles import check_profile_name
from cluster_service.domain.schedule import (
    MinimumSchedule,
    effective_minimum,
    hour_of_week,
    zone_named,
)

ChangeSource = Literal["api", "ssm"]
CHANGE_SOURCES: Final = frozenset({"api", "ssm"})
_POOL_NAMESPACE: Final = uuid5(NAMESPACE_URL, "emr-control-plane:pool")
MAX_POOL_CLUSTERS: Final = 1000
"""The most clusters a pool may keep (MINIMUM, MAXIMUM, a schedule's values): far above any
pool's need, and a bound on what one decision can ask for."""
MAX_IDLE_TTL_SECONDS: Final = 604_800
"""A week: EMR's own idle auto-termination ends a cluster by then anyway."""


def check_thresholds(minimum: int, maximum: int, idle_ttl_seconds: int) -> None:
    """Raise InvalidThresholds naming the first field that cannot hold."""
    for name, value, most in (
        ("minimum", minimum, MAX_POOL_CLUSTERS),
        ("maximum", maximum, MAX_POOL_CLUSTERS),
        ("idle_ttl_seconds", idle_ttl_seconds, MAX_IDLE_TTL_SECONDS),
    ):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidThresholds(name, f"must be a whole number, not {value!r}")
        if not 0 <= value <= most:
            raise InvalidThresholds(name, f"must be between 0 and {most}, not {value}")
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
        self.schedule: MinimumSchedule | None = None
        self.limits_changed_at: datetime | None = None
        """When thresholds or schedule last changed (None: at creation)."""
        self.scheduled_minimum = 0
        """The schedule's value when following it last changed the effective MINIMUM (0
        without a schedule); an hour whose value leaves the effective MINIMUM as it is records
        nothing, so this may lag the schedule, never the effective MINIMUM."""

    @property
    def changed_at(self) -> datetime:
        """When an operator (or SSM) last changed the thresholds or the schedule; the
        schedule's hourly changes do not count."""
        return self.limits_changed_at or self.created_on

    @property
    def effective_minimum(self) -> int:
        """The MINIMUM the policy keeps now (as last followed)."""
        return effective_minimum(self.minimum, self.maximum, self.scheduled_minimum)

    def effective_minimum_at(self, at: datetime) -> int:
        """The MINIMUM the policy keeps at `at`, by the schedule's hour then."""
        scheduled = 0 if self.schedule is None else self.schedule.at(at)
        return effective_minimum(self.minimum, self.maximum, scheduled)

    @staticmethod
    @functools.lru_cache(maxsize=1024)
    def id_for(profile: str) -> UUID:
        """One pool per profile: its id follows from the profile's name (remembered)."""
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
            pool.limits_changed_at = self.timestamp

    def set_schedule(
        self, time_zone: str, minimum: list[int], changed_by: ChangeSource, at: datetime
    ) -> bool:
        """Validate (InvalidSchedule names what to fix), then record the schedule; False (and
        nothing recorded) if it is the one kept. It is in force from the next policy run."""
        schedule = MinimumSchedule.checked(time_zone, minimum, self.maximum)
        _check_source(changed_by)
        if schedule == self.schedule:
            return False
        self.trigger_event(
            self.ScheduleSet,
            time_zone=schedule.time_zone,
            minimum=list(schedule.minimum),
            changed_by=changed_by,
            timestamp=at,
        )
        return True

    def clear_schedule(self, changed_by: ChangeSource, at: datetime) -> bool:
        """Drop the schedule: the pool's own MINIMUM alone counts again. False if none."""
        _check_source(changed_by)
        if self.schedule is None:
            return False
        self.trigger_event(self.ScheduleCleared, changed_by=changed_by, timestamp=at)
        return True

    def follow_schedule(self, at: datetime) -> bool:
        """Record the schedule's value for the hour of `at` if it changes the effective
        MINIMUM (also after a threshold change made the last recorded value count otherwise)."""
        if self.schedule is None:
            return False
        hour = hour_of_week(at, zone_named(self.schedule.time_zone))
        scheduled = self.schedule.minimum[hour]
        effective = effective_minimum(self.minimum, self.maximum, scheduled)
        if effective == self.effective_minimum:
            return False
        self.trigger_event(
            self.ScheduledMinimumChanged,
            hour_of_week=hour,
            scheduled_minimum=scheduled,
            effective_minimum=effective,
            timestamp=at,
        )
        return True

    class ScheduleSet(Aggregate.Event):
        time_zone: str
        minimum: list[int]
        changed_by: str

        def apply(self, pool: "Pool") -> None:
            pool.schedule = MinimumSchedule(self.time_zone, tuple(self.minimum))
            pool.changed_by = self.changed_by
            pool.limits_changed_at = self.timestamp

    class ScheduleCleared(Aggregate.Event):
        changed_by: str

        def apply(self, pool: "Pool") -> None:
            pool.schedule = None
            pool.scheduled_minimum = 0
            pool.changed_by = self.changed_by
            pool.limits_changed_at = self.timestamp

    class ScheduledMinimumChanged(Aggregate.Event):
        """The schedule's hour changed the effective MINIMUM: what the policy keeps from then
        (the larger of the pool's MINIMUM and `scheduled_minimum`, at most MAXIMUM)."""

        hour_of_week: int
        scheduled_minimum: int
        effective_minimum: int

        def apply(self, pool: "Pool") -> None:
            pool.scheduled_minimum = self.scheduled_minimum
