"""Cluster metrics per profile: clusters by state, cluster-time busy/idle/starting, slots.

Each cluster keeps its changes sorted by (occurred time, lifecycle rank, event id): requested,
ready, a job holding a slot (JobAllocated), a job letting go of it (JobSucceeded, JobFailed,
JobRequeued or JobCancelled naming the cluster, AllocationRejected), decommissioning, ended
(ClusterTerminated, ClusterFailed). Between two changes the cluster's Occupancy is accounted into
the ledger of its profile and hour. A change later than the cluster's last one is one step; an
earlier one (reordered delivery) takes the cluster's contribution back and sweeps its changes
again, so the ledgers are the same whatever the arrival order. The phase only moves forward.
The open segment of each cluster not ended (from its last change to `at`) is added per query.
"""

from __future__ import annotations

from bisect import insort
from collections import Counter
from dataclasses import dataclass, field
from typing import Final

from monitor_service.domain.ledger import Ledger, LedgerKey, Occupancy, hour_pieces
from monitor_service.domain.records import AuditRecord

_PHASE_RANK: Final = {
    "requested": 0,
    "ready": 1,
    "decommissioning": 2,
    "terminated": 3,
    "failed": 3,
}
_LIFECYCLE: Final = {
    "ClusterRequested": ("requested", 0),
    "ClusterReady": ("ready", 1),
    "ClusterDecommissioning": ("decommissioning", 4),
    "ClusterTerminated": ("terminated", 5),
    "ClusterFailed": ("failed", 5),
}
_RELEASES: Final = frozenset(
    {"JobSucceeded", "JobFailed", "JobRequeued", "JobCancelled", "AllocationRejected"}
)
HOLD, RELEASE = "hold", "release"


@dataclass(frozen=True, order=True)
class Change:
    ms: int
    rank: int
    event_id: str
    kind: str = field(compare=False)
    """A phase name, HOLD or RELEASE."""
    job_id: str = field(default="", compare=False)
    tenant: str = field(default="", compare=False)
    slots: int = field(default=0, compare=False)


def change_of(record: AuditRecord) -> tuple[str, str | None, Change] | None:
    """(cluster id, its profile if the record says, the change) of a record, if it has one."""
    cluster_id, kind = record.cluster_id, record.detail_type
    if not cluster_id:
        return None
    ms, event_id = record.occurred_ms, record.event_id
    profile = record.text("cluster_profile")
    if kind in _LIFECYCLE:
        phase, rank = _LIFECYCLE[kind]
        return cluster_id, profile, Change(ms, rank, event_id, phase, slots=record.number("slots"))
    job_id, tenant = record.job_id or "", record.tenant_id or ""
    if kind == "JobAllocated":
        return cluster_id, profile, Change(ms, 2, event_id, HOLD, job_id, tenant)
    if kind in _RELEASES:
        return cluster_id, profile, Change(ms, 3, event_id, RELEASE, job_id)
    return None


class ClusterTrack:
    """One cluster: its sorted changes, its state after them, what it added to the ledgers."""

    def __init__(self, cluster_id: str, profile: str) -> None:
        self.cluster_id = cluster_id
        self.profile = profile
        self.changes: list[Change] = []
        self.contributions: dict[int, Ledger] = {}
        self.reset()

    def reset(self) -> None:
        self.phase: str | None = None
        self.slots = 0
        self.holders: dict[str, str] = {}
        self.last_ms: int | None = None

    @property
    def ended(self) -> bool:
        return self.phase in ("terminated", "failed")

    @property
    def state(self) -> str:
        """For the clusters-by-state gauge: READY splits into busy and idle."""
        if self.phase == "ready":
            return "busy" if self.holders else "idle"
        return self.phase or "unknown"

    def occupancy(self) -> Occupancy:
        return Occupancy(self.phase or "", self.slots, tuple(self.holders.values()))

    def apply(self, change: Change) -> None:
        self.last_ms = change.ms
        if change.kind == HOLD and not self.ended:
            self.holders[change.job_id] = change.tenant
        elif change.kind == RELEASE:
            self.holders.pop(change.job_id, None)
        elif change.kind in _PHASE_RANK and self._moves_to(change.kind):
            self.phase = change.kind
            self.slots = change.slots or self.slots
            if self.ended:
                self.holders.clear()

    def _moves_to(self, phase: str) -> bool:
        return self.phase is None or _PHASE_RANK[phase] > _PHASE_RANK[self.phase]


class ClusterMetrics:
    """See the module docstring."""

    def __init__(self) -> None:
        self.clusters: dict[str, ClusterTrack] = {}
        self.ledgers: dict[LedgerKey, Ledger] = {}

    def apply(self, record: AuditRecord) -> None:
        found = change_of(record)
        if found is None:
            return
        cluster_id, profile, change = found
        track = self._track(cluster_id, profile)
        if not track.changes or change > track.changes[-1]:
            track.changes.append(change)
            self._step(track, change)
        elif change not in track.changes:
            insort(track.changes, change)
            self._sweep(track, track.profile)

    def _track(self, cluster_id: str, profile: str | None) -> ClusterTrack:
        track = self.clusters.get(cluster_id)
        if track is None:
            track = self.clusters[cluster_id] = ClusterTrack(cluster_id, profile or "")
        elif profile and not track.profile:
            self._sweep(track, old_profile=track.profile, new_profile=profile)
        return track

    def _step(self, track: ClusterTrack, change: Change) -> None:
        if track.last_ms is not None:
            for hour, ledger in _pieces(track, track.last_ms, change.ms).items():
                if ledger.is_empty():
                    continue
                track.contributions.setdefault(hour, Ledger()).add(ledger)
                self._post(track.profile, hour, ledger, +1)
        track.apply(change)

    def _sweep(self, track: ClusterTrack, old_profile: str, new_profile: str | None = None) -> None:
        """Take the cluster's contribution back and account its changes again, in order."""
        for hour, ledger in track.contributions.items():
            self._post(old_profile, hour, ledger, -1)
        track.contributions.clear()
        track.profile = new_profile or old_profile
        track.reset()
        for change in track.changes:
            self._step(track, change)

    def _post(self, profile: str, hour: int, ledger: Ledger, sign: int) -> None:
        key = (profile, hour)
        total = self.ledgers.setdefault(key, Ledger())
        total.add(ledger, sign)
        if total.is_empty():
            del self.ledgers[key]

    def open_ledgers(self, at_ms: int) -> dict[LedgerKey, Ledger]:
        """What clusters not ended did from their last change up to `at`."""
        extra: dict[LedgerKey, Ledger] = {}
        for track in self.clusters.values():
            if track.ended or track.last_ms is None:
                continue
            for hour, ledger in _pieces(track, track.last_ms, at_ms).items():
                extra.setdefault((track.profile, hour), Ledger()).add(ledger)
        return extra

    def states(self) -> Counter[tuple[str, str]]:
        """(profile, state) -> number of clusters."""
        return Counter((t.profile, t.state) for t in self.clusters.values())

    def slots_now(self) -> dict[str, tuple[int, int]]:
        """profile -> (slots held, slots) over READY clusters."""
        found: dict[str, tuple[int, int]] = {}
        for track in self.clusters.values():
            if track.phase == "ready":
                held, total = found.get(track.profile, (0, 0))
                found[track.profile] = (held + len(track.holders), total + track.slots)
        return found


def _pieces(track: ClusterTrack, start_ms: int, end_ms: int) -> dict[int, Ledger]:
    occupancy = track.occupancy()
    pieces: dict[int, Ledger] = {}
    for hour, duration in hour_pieces(start_ms, end_ms):
        occupancy.account(pieces.setdefault(hour, Ledger()), duration)
    return pieces
