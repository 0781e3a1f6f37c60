"""What the monitor is configured with: SLA targets, heartbeat timeouts, prices."""

from __future__ import annotations

from dataclasses import dataclass, field

from monitor_service.domain.cost import PriceBook
from monitor_service.domain.health import HeartbeatPolicy
from monitor_service.domain.sla import SlaTargets


@dataclass(frozen=True)
class MonitorPolicy:
    sla: SlaTargets = field(default_factory=SlaTargets.default)
    heartbeats: HeartbeatPolicy = field(default_factory=HeartbeatPolicy)
    prices: PriceBook = field(default_factory=lambda: PriceBook({}, {}))
