"""Pool limits per cluster profile: MINIMUM, MAXIMUM and idle TTL as last announced.

The cluster service announces a pool's limits with PoolThresholdsChanged when the pool is
created and whenever they change. The announcement that happened last wins, by (occurred time,
event id), so a late or reordered delivery never puts older limits back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from monitor_service.domain.records import AuditRecord

THRESHOLDS_CHANGED: Final = "PoolThresholdsChanged"


@dataclass(frozen=True)
class PoolLimit:
    minimum: int
    maximum: int
    idle_ttl_seconds: int
    order_key: tuple[int, str]


class PoolLimits:
    """See the module docstring."""

    def __init__(self) -> None:
        self.pools: dict[str, PoolLimit] = {}

    def apply(self, record: AuditRecord) -> None:
        profile = record.text("cluster_profile")
        if record.detail_type != THRESHOLDS_CHANGED or not profile:
            return
        known = self.pools.get(profile)
        if known is not None and known.order_key >= record.order_key:
            return
        self.pools[profile] = PoolLimit(
            minimum=record.number("minimum"),
            maximum=record.number("maximum"),
            idle_ttl_seconds=record.number("idle_ttl_seconds"),
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
        }
