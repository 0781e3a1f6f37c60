"""Cluster health: each cluster's phase and last sign of life, and alarms raised once.

Our cluster ids come with the cluster service's events; EMR's j-... ids are linked to them by
ClusterReady and ClusterTerminated. An "EMR Cluster State Change" to TERMINATED_WITH_ERRORS
about a cluster we know, that has not ended and has no alarm yet, calls for a ClusterUnhealthy
(stored once per cluster as a ClusterAlarm). One about a cluster we cannot link (it failed before
it was ready) raises nothing: the cluster service reports that one as ClusterFailed itself.

Silence alone raises nothing: a READY cluster at its pool's MINIMUM with no jobs legitimately
emits no events for hours, so "not heard of for long" needs the cluster service's reconciliation
against EMR, not a guess here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from monitor_service.domain.records import AuditRecord, from_ms, iso

EMR_CLUSTER_CHANGE: Final = "EMR Cluster State Change"
FAILED_STATE: Final = "TERMINATED_WITH_ERRORS"
_PHASES: Final = {
    "ClusterRequested": 0,
    "ClusterReady": 1,
    "ClusterDecommissioning": 2,
    "ClusterTerminated": 3,
    "ClusterFailed": 3,
}
_NAMES: Final = {
    "ClusterRequested": "requested",
    "ClusterReady": "ready",
    "ClusterDecommissioning": "decommissioning",
    "ClusterTerminated": "terminated",
    "ClusterFailed": "failed",
}


@dataclass(frozen=True)
class Alarm:
    cluster_id: str
    cluster_profile: str | None
    last_seen_ms: int
    reason: str


@dataclass
class WatchedCluster:
    profile: str | None = None
    phase: str = "unknown"
    rank: int = -1
    emr_cluster_id: str | None = None
    last_seen_ms: int | None = None
    alarmed: bool = False

    def seen(self, ms: int) -> None:
        self.last_seen_ms = ms if self.last_seen_ms is None else max(ms, self.last_seen_ms)


class ClusterWatch:
    """See the module docstring."""

    def __init__(self) -> None:
        self.clusters: dict[str, WatchedCluster] = {}
        self.by_emr_id: dict[str, str] = {}

    def apply(self, record: AuditRecord) -> None:
        cluster_id = record.cluster_id or self._linked(record)
        if cluster_id is None:
            return
        cluster = self.clusters.setdefault(cluster_id, WatchedCluster())
        cluster.seen(record.occurred_ms)
        cluster.profile = cluster.profile or record.text("cluster_profile")
        rank = _PHASES.get(record.detail_type, -1)
        if rank > cluster.rank:
            cluster.phase, cluster.rank = _NAMES[record.detail_type], rank
        emr_id = record.text("emr_cluster_id")
        if emr_id and record.cluster_id:
            cluster.emr_cluster_id = emr_id
            self.by_emr_id[emr_id] = record.cluster_id

    def _linked(self, record: AuditRecord) -> str | None:
        if record.detail_type != EMR_CLUSTER_CHANGE:
            return None
        return self.by_emr_id.get(record.text("clusterId") or "")

    def alarmed(self, cluster_id: str) -> None:
        self.clusters.setdefault(cluster_id, WatchedCluster()).alarmed = True

    def alarm_for(self, record: AuditRecord) -> Alarm | None:
        """The alarm this EMR event calls for, if any (see the module docstring)."""
        if record.detail_type != EMR_CLUSTER_CHANGE or record.text("state") != FAILED_STATE:
            return None
        cluster_id = self._linked(record)
        cluster = None if cluster_id is None else self.clusters.get(cluster_id)
        if cluster_id is None or cluster is None or cluster.alarmed or cluster.rank >= 3:
            return None
        last_seen = cluster.last_seen_ms if cluster.last_seen_ms is not None else record.occurred_ms
        return Alarm(cluster_id, cluster.profile, last_seen, _reason(record))

    def view(self) -> list[dict[str, Any]]:
        return [
            {
                "cluster_id": cluster_id,
                "profile": c.profile,
                "phase": c.phase,
                "emr_cluster_id": c.emr_cluster_id,
                "unhealthy": c.alarmed,
                "last_seen": None if c.last_seen_ms is None else iso(from_ms(c.last_seen_ms)),
            }
            for cluster_id, c in sorted(self.clusters.items())
        ]


def _reason(record: AuditRecord) -> str:
    reason = record.detail.get("stateChangeReason")
    message = record.text("message") or (reason if isinstance(reason, str) else "")
    text = f"EMR reported {FAILED_STATE}" + (f": {message}" if message else "")
    return text[:2048]
