"""DemoReport: what the demo found, whether it passed, and how it is printed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from cli.demo.clusters import ClusterStats
from cli.demo.costs import CostSummary
from cli.demo.summary import (
    EstimateStats,
    JobOutcome,
    TenantStats,
    WaitStats,
    estimate_stats,
    tenant_stats,
    wait_stats,
)
from cli.exits import JOB_UNSUCCESSFUL, OK
from cli.render import duration, table


@dataclass(frozen=True)
class DemoReport:
    jobs: list[JobOutcome]
    planned: int
    bursts: int
    seed: int
    elapsed_seconds: float
    stuck: list[str]
    """Jobs not ended by the deadline."""
    clusters: list[ClusterStats] | None
    """None: the cluster service did not answer."""
    cost: CostSummary | None
    """None: the monitor service did not answer (or has no metrics)."""
    notes: list[str] = field(default_factory=list)

    @property
    def waits(self) -> list[WaitStats]:
        return wait_stats(self.jobs)

    @property
    def tenants(self) -> list[TenantStats]:
        return tenant_stats(self.jobs)

    @property
    def estimates(self) -> EstimateStats:
        return estimate_stats(self.jobs)

    @property
    def lost(self) -> list[str]:
        """Jobs the job service no longer knew, or submissions that never got an answer."""
        return [job.job_id for job in self.jobs if job.status == "lost"]

    @property
    def unsuccessful(self) -> list[str]:
        return [job.job_id for job in self.jobs if job.status != "succeeded"]

    @property
    def ok(self) -> bool:
        return len(self.jobs) == self.planned and not self.unsuccessful and not self.stuck

    @property
    def exit_code(self) -> int:
        return OK if self.ok else JOB_UNSUCCESSFUL

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        for job, outcome in zip(document["jobs"], self.jobs, strict=True):
            job["wait_seconds"] = outcome.wait_seconds
            job["estimate_error_seconds"] = outcome.estimate_error_seconds
        if self.cost is not None:
            document["cost"] |= {
                "cluster_minutes": self.cost.cluster_minutes,
                "cost_dollars": self.cost.cost_dollars,
            }
        return document | {
            "waits": [asdict(w) for w in self.waits],
            "tenants": [asdict(t) for t in self.tenants],
            "estimates": asdict(self.estimates),
            "lost": self.lost,
            "unsuccessful": self.unsuccessful,
            "ok": self.ok,
            "exit_code": self.exit_code,
        }


def format_report(report: DemoReport) -> str:
    counts: dict[str, int] = {}
    for job in report.jobs:
        counts[job.status] = counts.get(job.status, 0) + 1
    outcome = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none"
    blocks = [
        f"demo: {report.planned} jobs in {report.bursts} bursts (seed {report.seed}), "
        f"{duration(report.elapsed_seconds)}\njobs: {outcome}",
        "wait from submission to start, by priority (nearest rank):\n" + _waits(report),
        "by tenant: wait from submission to start, and share of slot time:\n" + _tenants(report),
        "start estimates given at submission against the actual start:\n" + _estimates(report),
        "clusters by cluster profile:\n" + _clusters(report),
        "cluster time and cost:\n" + _cost(report),
        _verdict(report),
    ]
    if report.notes:
        blocks.insert(-1, "notes:\n" + "\n".join(f"  - {note}" for note in report.notes))
    return "\n\n".join(blocks)


def _waits(report: DemoReport) -> str:
    rows = [[w.priority, w.jobs, w.started, duration(w.p50), duration(w.p95)] for w in report.waits]
    return table(("PRIORITY", "JOBS", "STARTED", "P50", "P95"), rows)


def _tenants(report: DemoReport) -> str:
    rows = [
        [
            t.tenant,
            t.jobs,
            t.started,
            duration(t.p50),
            duration(t.p95),
            "n/a" if t.slot_share is None else f"{t.slot_share:.0%}",
        ]
        for t in report.tenants
    ]
    return table(("TENANT", "JOBS", "STARTED", "P50", "P95", "SLOT SHARE"), rows)


def _estimates(report: DemoReport) -> str:
    e = report.estimates
    if not e.jobs:
        return f"  no started job had an estimate ({e.without} without)"
    return (
        f"  {e.jobs} jobs: absolute error median {duration(e.median_error)}, "
        f"p90 {duration(e.p90_error)} (nearest rank); {e.without} without an estimate"
    )


def _clusters(report: DemoReport) -> str:
    if report.clusters is None:
        return "n/a (cluster service unavailable)"
    rows = [
        [c.profile, c.started, c.stopped, c.peak, c.active_now, c.minimum, c.maximum]
        for c in report.clusters
    ]
    return table(("PROFILE", "STARTED", "STOPPED", "PEAK", "NOW", "MIN", "MAX"), rows)


def _cost(report: DemoReport) -> str:
    cost = report.cost
    if cost is None:
        return "n/a (monitor unavailable)"
    rows: list[list[Any]] = [
        [p.profile, f"{p.cluster_minutes:.2f}", _dollars(p.cost_dollars)] for p in cost.profiles
    ]
    rows.append(["total", f"{cost.cluster_minutes:.2f}", _dollars(cost.cost_dollars)])
    scope = "" if cost.since_demo else "\n(since the monitor began: no reading before the demo)"
    return table(("PROFILE", "CLUSTER-MINUTES", "COST"), rows) + scope


def _dollars(value: float | None) -> str:
    return "n/a" if value is None else f"${value:.4f}"


def _verdict(report: DemoReport) -> str:
    if report.ok:
        return "every job succeeded"
    problems = []
    if report.lost:
        problems.append(f"{len(report.lost)} lost: {', '.join(report.lost)}")
    if report.stuck:
        problems.append(
            f"{len(report.stuck)} stuck (not ended by the deadline): " + ", ".join(report.stuck)
        )
    failed = [j for j in report.jobs if j.status in ("failed", "cancelled")]
    if failed:
        problems.append(
            f"{len(failed)} did not succeed: "
            + ", ".join(f"{j.job_id} ({j.status})" for j in failed)
        )
    if len(report.jobs) < report.planned:
        problems.append(f"{report.planned - len(report.jobs)} of {report.planned} never submitted")
    return "FAILED: " + "; ".join(problems)
