"""The tick: health check, SLA deadlines, and the monitor's own heartbeat.

`check(at)` marks services unhealthy whose newest heartbeat is older than their timeout (or that
never beat, once the monitor has watched that long) and healthy again those that beat since.
The tick then decides SLA breaches of jobs still not started past their target, and beats. A
decision another process took first (Conflict) is logged and left: the next tick sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from backbone.heartbeat import Heartbeats
from monitor_service.application.base import CHUNK, MonitorCore, logger, serialized
from monitor_service.application.errors import Conflict
from monitor_service.domain import AlreadyDecided, SlaBreach, Staleness, to_ms

MONITOR_SERVICE: Final = "monitor-service"


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


class TickUseCases(MonitorCore):
    _heartbeats: Heartbeats | None = None

    @serialized
    def check(self, at: datetime) -> HealthCheck:
        board, at_ms = self.current_board(), to_ms(at)
        return HealthCheck(
            unhealthy=[s.service for s in board.services.stale(at_ms) if self._mark_stale(s, at)],
            recovered=[name for name in board.services.revived(at_ms) if self._revive(name, at)],
        )

    def _mark_stale(self, stale: Staleness, at: datetime) -> bool:
        health = self._service_health(stale.service, at)
        try:
            health.went_unhealthy(stale.instance_id, stale.last_heartbeat_ms, at)
            self._commit(health)
        except (AlreadyDecided, Conflict) as error:
            logger.warning("%s not marked unhealthy: %s", stale.service, error)
            return False
        return True

    def _revive(self, service: str, at: datetime) -> bool:
        health = self._service_health(service, at)
        try:
            health.recovered(at)
            self._commit(health)
        except (AlreadyDecided, Conflict) as error:
            logger.warning("%s not marked healthy: %s", service, error)
            return False
        return True

    @serialized
    def tick(self, at: datetime) -> TickReport:
        health = self.check(at)
        breached = self._decide_breaches(at)
        return TickReport(health=health, sla_breached=breached, heartbeat=self._beat(at))

    def _decide_breaches(self, at: datetime) -> list[str]:
        due = self.current_board().sla.due(to_ms(at))
        decided: list[str] = []
        for begin in range(0, len(due), CHUNK):
            chunk = due[begin : begin + CHUNK]
            try:
                self._commit(*(SlaBreach.decide(breach, at) for breach in chunk))
            except Conflict as error:
                logger.warning("SLA breaches left to the next tick: %s", error)
                continue
            decided += [breach.job_id for breach in chunk]
        return decided

    def _beat(self, at: datetime) -> int | None:
        if self._heartbeats is None:
            self._heartbeats = Heartbeats(MONITOR_SERVICE, self.instance_id)
        return self._heartbeats.beat(self, at)
