"""The monitor's domain errors: each says what to fix."""

from __future__ import annotations


class MonitorError(Exception):
    """Base of the monitor service's errors."""


class InvalidQuery(MonitorError, ValueError):
    """A query parameter out of range (an API answers 400)."""

    def __init__(self, field: str, expected: str) -> None:
        super().__init__(f"{field}: expected {expected}")
        self.field = field
        self.expected = expected


class InvalidPolicy(MonitorError, ValueError):
    """A setting of the monitor (SLA target, heartbeat timeout) is unusable."""


class PriceTableError(MonitorError, ValueError):
    """The price table is malformed, or a profile names an instance type it has no price for."""


class AlreadyDecided(MonitorError):
    """A once-only decision (an SLA breach, a cluster alarm) was already taken."""
