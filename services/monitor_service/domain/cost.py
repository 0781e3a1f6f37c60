"""Dollars: a price book (instance prices and the instances of each cluster profile), and the
rule that shares each profile's cost among tenants.

A cluster of a profile costs, per hour, the sum over its instances of EC2 on-demand plus the
EMR surcharge for the instance type. Cluster time comes from the ledgers (see ledger.py).

Cost-sharing rule, per cluster profile and UTC clock hour:
1. Busy time goes to the tenants of the jobs holding slots, split equally among the jobs holding
   slots at each moment (one job alone on a cluster pays for the whole cluster).
2. Everything else in that hour (start-up, idle, decommissioning, and the rounding left over) is
   shared among the tenants that had busy time on that profile in that same hour, in proportion
   to their busy time.
3. If no tenant had busy time on that profile in that hour, it stays `unallocated`.
The hour is the sharing window, so costs add up across hours and a window's cost is the
difference of two cumulative figures at hour boundaries. Prices are applied when a report is
made, so an updated price table re-prices all history. A profile missing from the price book
costs nothing and is listed as unpriced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from monitor_service.domain.errors import PriceTableError
from monitor_service.domain.ledger import Ledger, LedgerKey

US_PER_HOUR = 3_600_000_000


@dataclass(frozen=True)
class InstancePrice:
    ec2_hourly: float
    emr_hourly: float

    @property
    def hourly(self) -> float:
        return self.ec2_hourly + self.emr_hourly


@dataclass(frozen=True)
class PriceBook:
    """Dollars per hour of one cluster of each profile."""

    instances: Mapping[str, InstancePrice]
    profiles: Mapping[str, tuple[tuple[str, int], ...]]
    """profile -> ((instance type, count), ...)."""

    def __post_init__(self) -> None:
        for profile, fleet in self.profiles.items():
            for instance_type, count in fleet:
                if instance_type not in self.instances:
                    raise PriceTableError(f"profile {profile!r}: no price for {instance_type!r}")
                if count < 0:
                    raise PriceTableError(f"profile {profile!r}: negative count")

    def hourly(self, profile: str) -> float | None:
        fleet = self.profiles.get(profile)
        if fleet is None:
            return None
        return sum(self.instances[kind].hourly * count for kind, count in fleet)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> PriceBook:
        """From the price table's JSON (see adapters/price_table.json)."""
        try:
            instances = {
                name: InstancePrice(float(p["ec2_hourly"]), float(p["emr_hourly"]))
                for name, p in data["instance_types"].items()
            }
            profiles = {
                name: tuple((str(i["type"]), int(i["count"])) for i in p["instances"])
                for name, p in data["profiles"].items()
            }
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise PriceTableError(f"malformed price table: {error!r}") from error
        return cls(instances, profiles)


@dataclass
class CostReport:
    profiles: dict[str, float] = field(default_factory=dict)
    tenants: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    """(tenant, profile) -> (direct dollars, shared dollars)."""
    unallocated: dict[str, float] = field(default_factory=dict)
    unpriced: set[str] = field(default_factory=set)


def share_costs(ledgers: Mapping[LedgerKey, Ledger], prices: PriceBook) -> CostReport:
    """Apply the module's rule to every (profile, hour) ledger, in key order."""
    report = CostReport()
    for (profile, _hour), ledger in sorted(ledgers.items()):
        hourly = prices.hourly(profile)
        if hourly is None:
            report.unpriced.add(profile)
            continue
        _share_hour(report, profile, ledger, hourly / US_PER_HOUR)
    return report


def _share_hour(report: CostReport, profile: str, ledger: Ledger, per_us: float) -> None:
    total_us = ledger.cluster_ms * 1000
    report.profiles[profile] = report.profiles.get(profile, 0.0) + total_us * per_us
    busy = ledger.tenant_busy_us
    busy_us = sum(busy.values())
    overhead_us = total_us - busy_us
    if not busy_us:
        report.unallocated[profile] = report.unallocated.get(profile, 0.0) + overhead_us * per_us
        return
    for tenant in sorted(busy):
        direct, shared = report.tenants.get((tenant, profile), (0.0, 0.0))
        share_us = overhead_us * busy[tenant] / busy_us
        report.tenants[(tenant, profile)] = (
            direct + busy[tenant] * per_us,
            shared + share_us * per_us,
        )
