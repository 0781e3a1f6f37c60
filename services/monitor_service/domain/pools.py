"""Pool limits per cluster profile: MINIMUM, MAXIMUM and idle TTL as last announced, the
effective MINIMUM a schedule sets, and the orphan stacks the cluster service found.

The cluster service announces a pool's limits with PoolThresholdsChanged when the pool is
created, whenever they change, and whenever its MINIMUM schedule (or the schedule's value in
force) changes; then `effective_minimum` says what the pool keeps (an announcement without it,
from before schedules, means the flat MINIMUM). The announcement that happened last wins, by
(occurred time, event id), so a late or reordered delivery never puts older limits back.
OrphanStackFound is counted per profile (stacks tagged with a pool that no cluster owns: an
operator should look at them); one from before events named the profile counts as "unknown".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from monitor_service.domain.records import AuditRecord

THRESHOLDS_CHANGED: Final = "PoolThresholdsChanged"
ORPHAN_FOUND: Final = "OrphanStackFound"
UNKNOWN_PROFILE: Final = "unknown"


@dataclass(frozen=True)
class PoolLimit:
    minimum: int
    maximum: int
    idle_ttl_seconds: int
    effective_minimum: int
    scheduled: bool
    """Whether the pool keeps a MINIMUM schedule."""
    order_key: tuple[int, int, str]


class PoolLimits:
    """See the module docstring."""

    def __init__(self) -> None:
        self.pools: dict[str, PoolLimit] = {}
        self.orphans: dict[str, int] = {}
        """Orphan stacks found, per profile."""

    def apply(self, record: AuditRecord) -> None:
        if record.detail_type == ORPHAN_FOUND:
            found = record.text("cluster_profile") or UNKNOWN_PROFILE
            self.orphans[found] = self.orphans.get(found, 0) + 1
            return
        profile = record.text("cluster_profile")
        if record.detail_type != THRESHOLDS_CHANGED or not profile:
            return
        known = self.pools.get(profile)
        if known is not None and known.order_key >= record.order_key:
            return
        minimum = record.number("minimum")
        self.pools[profile] = PoolLimit(
            minimum=minimum,
            maximum=record.number("maximum"),
            idle_ttl_seconds=record.number("idle_ttl_seconds"),
            effective_minimum=record.number("effective_minimum", minimum),
            scheduled=record.text("schedule_time_zone") is not None,
            order_key=record.order_key,
        )

    def report(self) -> dict[str, list[dict[str, Any]]]:
        pools = sorted(self.pools.items())
        return {
            "pool_minimum": [{"profile": p, "value": limit.minimum} for p, limit in pools],
            "pool_maximum": [{"profile": p, "value": limit.maximum} for p, limit in pools],
            "pool_idle_ttl_seconds": [
                {"profile": p, "value": limit.idle_ttl_seconds} for p, limit in pools
            ],
            "pool_effective_minimum": [
                {"profile": p, "value": limit.effective_minimum} for p, limit in pools
            ],
            "pool_scheduled": [{"profile": p, "value": int(limit.scheduled)} for p, limit in pools],
            "orphan_stacks_found": [
                {"profile": p, "value": n} for p, n in sorted(self.orphans.items())
            ],
        }
