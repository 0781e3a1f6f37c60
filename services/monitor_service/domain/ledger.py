"""Cluster time, per cluster profile and UTC hour, in whole milliseconds.

A Ledger adds up what clusters of one profile did in one clock hour: time starting (requested,
not ready yet), idle (serving with no job holding a slot), busy (at least one job holding a
slot), slot time held and available (while READY), and each tenant's share of the busy time.
Busy time is split equally among the jobs holding slots at each moment; a tenant's share is kept
in microseconds, rounded down per segment (the few microseconds lost go to the shared part).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from monitor_service.domain.records import HOUR_MS

LedgerKey = tuple[str, int]
"""(cluster profile, hour index = epoch ms // HOUR_MS)."""


@dataclass(slots=True)
class Ledger:
    starting_ms: int = 0
    idle_ms: int = 0
    busy_ms: int = 0
    held_slot_ms: int = 0
    available_slot_ms: int = 0
    tenant_busy_us: dict[str, int] = field(default_factory=dict)

    @property
    def cluster_ms(self) -> int:
        return self.starting_ms + self.idle_ms + self.busy_ms

    def add(self, other: Ledger, sign: int = 1) -> None:
        self.starting_ms += sign * other.starting_ms
        self.idle_ms += sign * other.idle_ms
        self.busy_ms += sign * other.busy_ms
        self.held_slot_ms += sign * other.held_slot_ms
        self.available_slot_ms += sign * other.available_slot_ms
        for tenant, us in other.tenant_busy_us.items():
            left = self.tenant_busy_us.get(tenant, 0) + sign * us
            if left:
                self.tenant_busy_us[tenant] = left
            else:
                self.tenant_busy_us.pop(tenant, None)

    def copy(self) -> Ledger:
        copied = Ledger()
        copied.add(self)
        return copied

    def is_empty(self) -> bool:
        return self == Ledger()


@dataclass(frozen=True, slots=True)
class Occupancy:
    """What a cluster was doing during a segment of time."""

    phase: str
    """requested, ready or decommissioning (other phases cost nothing)."""
    slots: int
    holders: tuple[str, ...]
    """The tenant of each job holding a slot (one entry per job)."""

    def account(self, ledger: Ledger, duration_ms: int) -> None:
        if self.phase == "requested":
            ledger.starting_ms += duration_ms
        elif self.phase in ("ready", "decommissioning"):
            self._serving(ledger, duration_ms)

    def _serving(self, ledger: Ledger, duration_ms: int) -> None:
        held = len(self.holders)
        if self.phase == "ready":
            ledger.available_slot_ms += duration_ms * self.slots
            ledger.held_slot_ms += duration_ms * min(held, self.slots)
        if not held:
            ledger.idle_ms += duration_ms
            return
        ledger.busy_ms += duration_ms
        for tenant in sorted(set(self.holders)):
            share = duration_ms * 1000 * self.holders.count(tenant) // held
            ledger.tenant_busy_us[tenant] = ledger.tenant_busy_us.get(tenant, 0) + share


def hour_pieces(start_ms: int, end_ms: int) -> Iterator[tuple[int, int]]:
    """(hour index, milliseconds) of [start_ms, end_ms) cut at every full UTC hour."""
    while start_ms < end_ms:
        hour = start_ms // HOUR_MS
        cut = min(end_ms, (hour + 1) * HOUR_MS)
        yield hour, cut - start_ms
        start_ms = cut


def merged(
    base: Mapping[LedgerKey, Ledger], extra: Mapping[LedgerKey, Ledger]
) -> dict[LedgerKey, Ledger]:
    """base + extra, copying only the ledgers extra touches."""
    result = dict(base)
    for key, ledger in extra.items():
        combined = base[key].copy() if key in base else Ledger()
        combined.add(ledger)
        result[key] = combined
    return result
