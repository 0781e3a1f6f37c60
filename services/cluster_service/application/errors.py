"""Errors of the cluster service's use cases; the REST layer maps each to one status code."""

from __future__ import annotations

from typing import Any


class ClusterServiceError(Exception):
    """Base of the application's errors."""


class NotFound(ClusterServiceError, LookupError):
    """Something named in a request does not exist (404)."""


class ProfileNotFound(NotFound):
    def __init__(self, name: str) -> None:
        super().__init__(f"no cluster profile {name!r}")
        self.name = name


class ClusterNotFound(NotFound):
    def __init__(self, cluster_id: object) -> None:
        super().__init__(f"no cluster {cluster_id}")
        self.cluster_id = str(cluster_id)


class ProfileExists(ClusterServiceError):
    """A profile of that name is registered already (409)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"cluster profile {name!r} exists already")
        self.name = name


class Conflict(ClusterServiceError):
    """A concurrent writer changed the same aggregate first; nothing was saved: retry (409)."""


class TickIncomplete(ClusterServiceError):
    """Some profiles could not be reconciled this tick (each is logged); the rest were."""

    def __init__(self, report: Any) -> None:
        super().__init__(f"tick incomplete for: {', '.join(report.errors)}")
        self.report = report
