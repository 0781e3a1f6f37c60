"""A pool's MINIMUM schedule: a MINIMUM per hour of the week, in an IANA time zone.

Demand follows the working day where the people are, so the schedule is kept in their zone, not
in UTC: hour 0 is Monday 00:00-01:00 local time, hour 167 Sunday 23:00-24:00. Across a change
of daylight saving time the local clock decides: on the spring night the skipped local hour's
value is never in force, on the autumn night the repeated local hour's value holds for both
hours. The effective MINIMUM is the larger of the pool's MINIMUM and the hour's value, never
above MAXIMUM (`effective_minimum`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cluster_service.domain.errors import InvalidSchedule

HOURS_OF_WEEK: Final = 168
"""Monday 00:00 first."""


@cache
def zone_named(name: str) -> ZoneInfo:
    """The IANA zone of that name; InvalidSchedule("time_zone") if there is none."""
    if not isinstance(name, str) or not name or len(name) > 64:
        raise InvalidSchedule("time_zone", f"must be an IANA time zone name, not {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidSchedule(
            "time_zone", f"unknown IANA time zone {name!r} (e.g. 'Europe/Stockholm', 'UTC')"
        ) from None


def hour_of_week(at: datetime, zone: ZoneInfo) -> int:
    """0 = Monday 00:00-01:00 ... 167 = Sunday 23:00-24:00, on the zone's clock at `at`."""
    local = at.astimezone(zone)
    return local.weekday() * 24 + local.hour


@dataclass(frozen=True, slots=True)
class MinimumSchedule:
    """A validated schedule: the zone's name and 168 whole numbers."""

    time_zone: str
    minimum: tuple[int, ...]

    @classmethod
    def checked(cls, time_zone: str, minimum: Sequence[int], maximum: int) -> MinimumSchedule:
        """InvalidSchedule naming the field (and hour) to fix: an unknown zone, not 168
        values, a value that is not a whole number, negative, or above the pool's MAXIMUM."""
        zone_named(time_zone)
        if isinstance(minimum, str | bytes) or len(minimum) != HOURS_OF_WEEK:
            count = len(minimum) if not isinstance(minimum, str | bytes) else "text"
            raise InvalidSchedule(
                "minimum", f"must hold {HOURS_OF_WEEK} values (Monday 00:00 first), not {count}"
            )
        for hour, value in enumerate(minimum):
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidSchedule(
                    f"minimum.{hour}", f"must be a whole number, not {value!r} ({_when(hour)})"
                )
            if value < 0:
                raise InvalidSchedule(
                    f"minimum.{hour}", f"must be at least 0, not {value} ({_when(hour)})"
                )
            if value > maximum:
                raise InvalidSchedule(
                    f"minimum.{hour}",
                    f"{value} is above the pool's maximum {maximum} ({_when(hour)})",
                )
        return cls(time_zone, tuple(minimum))

    def at(self, when: datetime) -> int:
        """The value in force at `when`."""
        return self.minimum[hour_of_week(when, zone_named(self.time_zone))]


_DAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _when(hour: int) -> str:
    return f"{_DAYS[hour // 24]} {hour % 24:02d}:00"


def effective_minimum(minimum: int, maximum: int, scheduled: int) -> int:
    """The MINIMUM the policy keeps: the larger of the two, never above MAXIMUM (a MAXIMUM
    lowered below the schedule wins, as it does over the pool's own MINIMUM)."""
    return min(maximum, max(minimum, scheduled))
