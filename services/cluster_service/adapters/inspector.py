"""The ClusterInspector port: what EMR says of one cluster (DescribeCluster)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class EmrClusterInfo:
    """One EMR cluster as DescribeCluster reports it."""

    emr_cluster_id: str
    state: str
    name: str = ""
    reason: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)


class ClusterInspector(ABC):
    """Reads EMR clusters, for events that never came and for clusters we cannot place."""

    @abstractmethod
    def describe(self, emr_cluster_id: str) -> EmrClusterInfo | None:
        """The cluster, or None when EMR does not know the id."""
