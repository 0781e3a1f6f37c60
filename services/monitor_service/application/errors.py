"""Errors of the monitor's use cases."""

from __future__ import annotations

from monitor_service.domain import MonitorError


class Conflict(MonitorError):
    """Another process saved first (the same decision, or the same audit entry): retry."""
