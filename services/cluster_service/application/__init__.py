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
from cluster_service.application.jobs import JobEvents
from cluster_service.application.pools import SEED_THRESHOLDS, ProfilesAndPools
from cluster_service.application.queries import ClusterQueries
from cluster_service.application.runner import PoolRunner
from cluster_service.application.signals import AwsSignals
from cluster_service.application.store import ClusterStore
from cluster_service.application.ticking import ClusterTick, TickReport
from cluster_service.application.translation import ClusterEventTranslator, translator_for
from cluster_service.application.views import ClusterSummary, PoolSummary

__all__ = [
    "SEED_THRESHOLDS",
    "AwsSignals",
    "ClusterEventTranslator",
    "ClusterNotFound",
    "ClusterQueries",
    "ClusterServiceError",
    "ClusterServiceHandlers",
    "ClusterStore",
    "ClusterSummary",
    "ClusterTick",
    "ClustersApplication",
    "Conflict",
    "JobEvents",
    "NotFound",
    "PoolRunner",
    "PoolSummary",
    "ProfileExists",
    "ProfileNotFound",
    "ProfilesAndPools",
    "TickIncomplete",
    "TickReport",
    "translator_for",
]
