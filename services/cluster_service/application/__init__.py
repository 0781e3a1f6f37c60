"""The cluster service's use cases, the handlers of the events it consumes, and its translation."""

from cluster_service.application.app import ClustersApplication
from cluster_service.application.errors import (
    ClusterNotFound,
    ClusterServiceError,
    Conflict,
    NotFound,
    ProfileExists,
    ProfileNotFound,
    TickIncomplete,
)
from cluster_service.application.handlers import ClusterServiceHandlers
from cluster_service.application.pools import SEED_THRESHOLDS
from cluster_service.application.ticking import TickReport
from cluster_service.application.translation import ClusterEventTranslator, translator_for
from cluster_service.application.views import ClusterSummary, PoolSummary

__all__ = [
    "SEED_THRESHOLDS",
    "ClusterEventTranslator",
    "ClusterNotFound",
    "ClusterServiceError",
    "ClusterServiceHandlers",
    "ClusterSummary",
    "ClustersApplication",
    "Conflict",
    "NotFound",
    "PoolSummary",
    "ProfileExists",
    "ProfileNotFound",
    "TickIncomplete",
    "TickReport",
    "translator_for",
]
