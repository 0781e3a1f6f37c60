"""The scheduled Tick of a service that beats: its heartbeat first, then its application's Tick.

A service's dataclass (bootstrap.py) that has `app`, `clock` and `heartbeats` inherits `tick()`
from `HeartbeatTick`; Lambda's tick handler (backbone/entry_points.py) and the local runner call
it. The beat goes first so that the Tick's own failures never cost a beat.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, TypeVar

from backbone.heartbeat import Heartbeats

R = TypeVar("R")


class HeartbeatTick(Generic[R]):
    """`tick()` for a service dataclass whose app's `tick(at)` answers an R."""

    app: Any
    """The service's eventsourcing Application, with `tick(at) -> R` (the dataclass narrows it)."""
    clock: Callable[[], datetime]
    heartbeats: Heartbeats

    def tick(self) -> R:
        """The scheduled Tick, on this process's clock: this process's heartbeat first (the
        Tick's own failures never cost a beat), then the Tick's work."""
        now = self.clock()
        self.heartbeats.beat(self.app, now)
        report: R = self.app.tick(now)
        return report
