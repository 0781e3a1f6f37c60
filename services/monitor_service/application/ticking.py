"""The tick: health check, SLA deadlines, and the monitor's own heartbeat.

`check(at)` marks services unhealthy whose newest heartbeat is older than their timeout (or that
never beat, once the monitor has watched that long) and healthy again those that beat since.
The tick then decides SLA breaches of jobs still not started past their target, and beats. A
decision another process took first (Conflict) is logged and left: the next tick sees it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from backbone.heartbeat import Heartbeats
from monitor_service.application.errors import Conflict
from monitor_service.application.store import MonitorStore
from monitor_service.domain import AlreadyDecided, SlaBreach, Staleness, to_ms

logger = logging.getLogger(__name__)

MONITOR_SERVICE: Final = "monitor-service"
CHUNK: Final = 40
"""Aggregates per save (a DynamoDB transaction holds 49 events)."""


@dataclass
class HealthCheck:
    unhealthy: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)


@dataclass
class TickReport:
    health: HealthCheck
    sla_breached: list[str]
    """Job ids."""
    heartbeat: int | None
    """The sequence number of the monitor's own heartbeat, None if it could not be saved."""


class MonitorTick:
    """The scheduled tick of the monitor; see the module docstring."""

    def __init__(self, store: MonitorStore, heartbeats: Heartbeats) -> None:
        """`heartbeats`: the monitor's own, saved in its store on every tick."""
        self.store = store
        self.heartbeats = heartbeats

    def check(self, at: datetime) -> HealthCheck:
        with self.store.lock:
            board, at_ms = self.store.current_board(), to_ms(at)
            return HealthCheck(
                unhealthy=[
                    s.service for s in board.services.stale(at_ms) if self._mark_stale(s, at)
                ],
                recovered=[
                    name for name in board.services.revived(at_ms) if self._revive(name, at)
                ],
            )

    def _mark_stale(self, stale: Staleness, at: datetime) -> bool:
        health = self.store.service_health(stale.service, at)
        try:
            health.went_unhealthy(stale.instance_id, stale.last_heartbeat_ms, at)
            self.store.commit(health)
        except (AlreadyDecided, Conflict) as error:
            logger.warning("%s not marked unhealthy: %s", stale.service, error)
            return False
        return True

    def _revive(self, service: str, at: datetime) -> bool:
        health = self.store.service_health(service, at)
        try:
            health.recovered(at)
            self.store.commit(health)
        except (AlreadyDecided, Conflict) as error:
            logger.warning("%s not marked healthy: %s", service, error)
            return False
        return True

    def tick(self, at: datetime) -> TickReport:
        with self.store.lock:
            health = self.check(at)
            breached = self._decide_breaches(at)
            return TickReport(
                health=health, sla_breached=breached, heartbeat=self.heartbeats.beat(self.store, at)
            )

    def _decide_breaches(self, at: datetime) -> list[str]:
        due = self.store.current_board().sla.due(to_ms(at))
        decided: list[str] = []
        for begin in range(0, len(due), CHUNK):
            chunk = due[begin : begin + CHUNK]
            try:
                self.store.commit(*(SlaBreach.decide(breach, at) for breach in chunk))
            except Conflict as error:
                logger.warning("SLA breaches left to the next tick: %s", error)
                continue
            decided += [breach.job_id for breach in chunk]
        return decided
