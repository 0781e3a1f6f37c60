"""The scheduled Tick of a service: on this process's clock, its application's Tick.

A service's dataclass (bootstrap.py) that has `app` (its StoreFacade: backbone/facade.py) and
`clock` inherits `tick()` from `ScheduledTick`; Lambda's tick handler (backbone/entry_points.py)
and the local runner call it. `after(at, report)` runs once the Tick's work is done (the monitor
publishes its metrics there). A service whose dataclass also has `heartbeats` inherits
`HeartbeatTick`, which beats first, in `app.store` (the service's eventsourcing Application), so
that the Tick's own failures never cost a beat.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, TypeVar

from backbone.heartbeat import Heartbeats

R = TypeVar("R")


class ScheduledTick(Generic[R]):
    """`tick()` for a service dataclass whose app's `tick(at)` answers an R."""

    app: Any
    """The service's application, with `tick(at) -> R` and `store`, the service's eventsourcing
    Application (the dataclass narrows it)."""
    clock: Callable[[], datetime]

    def tick(self) -> R:
        """The scheduled Tick, on this process's clock: `before`, the Tick's work, `after`."""
        now = self.clock()
        self.before(now)
        report: R = self.app.tick(now)
        self.after(now, report)
        return report

    def before(self, at: datetime) -> None:
        """What the service does before its Tick's work; nothing unless overridden."""

    def after(self, at: datetime, report: R) -> None:
        """What the service does once its Tick's work is done; nothing unless overridden."""


class HeartbeatTick(ScheduledTick[R]):
    """A ScheduledTick that saves this process's heartbeat in `app.store` first."""

    heartbeats: Heartbeats

    def before(self, at: datetime) -> None:
        """This process's heartbeat, before the Tick's work (its failures never cost a beat)."""
        self.heartbeats.beat(self.app.store, at)
