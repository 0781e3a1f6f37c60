"""The metrics report: every read model's figures at one moment, as a JSON-able dict.

Each section is a list of rows; a row's string fields are its labels and `value` (or, for
summaries, count/sum/p50/p95/p99) its numbers, so the Prometheus exposition is a rendering of
the same dict. Rows are sorted by their labels, so equal models give equal reports. The section
`hourly` (cluster time, utilization and cost per profile and UTC hour, for the HOURLY_WINDOW
hours up to `at`) is for charts over time; the exposition leaves it out (an hour label would
make a new series every hour).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Final

from monitor_service.domain.clusters import ClusterMetrics
from monitor_service.domain.cost import CostReport, PriceBook, share_costs
from monitor_service.domain.health import ServiceHealthBoard
from monitor_service.domain.jobs import JobMetrics
from monitor_service.domain.ledger import Ledger, LedgerKey, merged
from monitor_service.domain.pools import PoolLimits
from monitor_service.domain.records import HOUR_MS, from_ms, iso
from monitor_service.domain.sla import SlaWatch

Rows = list[dict[str, Any]]
DIGITS: Final = 6
"""Dollars and ratios are rounded to this many decimals."""
HOURLY_WINDOW: Final = 24


def metrics_report(
    jobs: JobMetrics,
    clusters: ClusterMetrics,
    pools: PoolLimits,
    sla: SlaWatch,
    services: ServiceHealthBoard,
    prices: PriceBook,
    at_ms: int,
) -> dict[str, Any]:
    ledgers = merged(clusters.ledgers, clusters.open_ledgers(at_ms))
    report: dict[str, Any] = {"at": iso(from_ms(at_ms))}
    report |= jobs.report(at_ms)
    report |= _clusters(clusters, ledgers)
    report |= pools.report()
    report |= _cost(share_costs(ledgers, prices), prices, clusters)
    report |= _sla(sla, at_ms)
    report["hourly"] = _hourly(ledgers, prices, at_ms)
    report["service_up"] = [
        {"service": row["service"], "value": int(row["state"] == "healthy")}
        for row in services.view(at_ms)
    ]
    return report


def _clusters(clusters: ClusterMetrics, ledgers: dict[LedgerKey, Ledger]) -> dict[str, Rows]:
    totals: dict[str, Ledger] = defaultdict(Ledger)
    for (profile, _hour), ledger in sorted(ledgers.items()):
        totals[profile].add(ledger)
    seconds: Rows = []
    for profile, ledger in sorted(totals.items()):
        for phase, ms in (
            ("starting", ledger.starting_ms),
            ("idle", ledger.idle_ms),
            ("busy", ledger.busy_ms),
        ):
            seconds.append({"profile": profile, "phase": phase, "value": ms / 1000})
    return {
        "clusters": [
            {"profile": p, "state": s, "value": n}
            for (p, s), n in sorted(clusters.states().items())
        ],
        "cluster_seconds": seconds,
        "slot_utilization": [
            {"profile": p, "value": round(t.held_slot_ms / t.available_slot_ms, DIGITS)}
            for p, t in sorted(totals.items())
            if t.available_slot_ms
        ],
        "slots": [
            {"profile": p, "state": state, "value": n}
            for p, (held, total) in sorted(clusters.slots_now().items())
            for state, n in (("busy", held), ("free", total - held))
        ],
    }


def _cost(cost: CostReport, prices: PriceBook, clusters: ClusterMetrics) -> dict[str, Rows]:
    profiles = sorted({track.profile for track in clusters.clusters.values()})
    return {
        "cluster_hourly_dollars": [
            {"profile": p, "value": round(rate, DIGITS)}
            for p in profiles
            if (rate := prices.hourly(p)) is not None
        ],
        "cost_dollars": [
            {"profile": p, "value": round(v, DIGITS)} for p, v in sorted(cost.profiles.items())
        ],
        "tenant_cost_dollars": [
            {"tenant": t, "profile": p, "kind": kind, "value": round(v, DIGITS)}
            for (t, p), parts in sorted(cost.tenants.items())
            for kind, v in zip(("direct", "shared"), parts, strict=True)
        ],
        "unallocated_cost_dollars": [
            {"profile": p, "value": round(v, DIGITS)} for p, v in sorted(cost.unallocated.items())
        ],
        "unpriced_profile": [{"profile": p, "value": 1} for p in sorted(cost.unpriced)],
    }


def _sla(sla: SlaWatch, at_ms: int) -> dict[str, Rows]:
    return {
        "sla_target_seconds": [
            {"priority": p, "value": s} for p, s in sorted(sla.targets.seconds.items())
        ],
        "oldest_wait_seconds": [
            {"priority": p, "value": s} for p, s in sla.oldest_waits(at_ms).items()
        ],
        "sla_breaches": [
            {"profile": p, "priority": q, "tenant": t, "value": n}
            for (p, q, t), n in sorted(sla.breaches.items())
        ],
    }


def _hourly(ledgers: dict[LedgerKey, Ledger], prices: PriceBook, at_ms: int) -> Rows:
    """Per profile and hour of the window: cluster seconds by phase, utilization, dollars."""
    first = at_ms // HOUR_MS - HOURLY_WINDOW + 1
    rows: Rows = []
    for (profile, hour), ledger in sorted(ledgers.items()):
        if hour < first or hour * HOUR_MS > at_ms:
            continue
        hourly = prices.hourly(profile)
        available = ledger.available_slot_ms
        rows.append(
            {
                "profile": profile,
                "hour": iso(from_ms(hour * HOUR_MS)),
                "starting_seconds": ledger.starting_ms / 1000,
                "idle_seconds": ledger.idle_ms / 1000,
                "busy_seconds": ledger.busy_ms / 1000,
                "utilization": round(ledger.held_slot_ms / available, DIGITS)
                if available
                else None,
                "cost_dollars": None
                if hourly is None
                else round(hourly * ledger.cluster_ms / HOUR_MS, DIGITS),
            }
        )
    return rows
