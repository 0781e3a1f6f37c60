"""The demo's summary: percentiles, waits per priority, clusters per profile, cost, verdict."""

from __future__ import annotations

from typing import Any

import pytest

from cli.demo.clusters import ClusterLog, cluster_stats
from cli.demo.costs import cost_summary
from cli.demo.report import DemoReport, format_report
from cli.demo.summary import JobOutcome, estimate_stats, nearest_rank, tenant_stats, wait_stats

SUBMITTED = "2026-11-24T10:00:00Z"


@pytest.mark.parametrize(
    ("values", "percent", "expected"),
    [
        ([15, 20, 35, 40, 50], 5, 15),
        ([15, 20, 35, 40, 50], 30, 20),
        ([15, 20, 35, 40, 50], 40, 20),
        ([15, 20, 35, 40, 50], 50, 35),
        ([15, 20, 35, 40, 50], 100, 50),
        (list(range(1, 21)), 95, 19),
        (list(range(1, 21)), 50, 10),
        ([3, 1, 2], 50, 2),
        ([7], 95, 7),
    ],
)
def test_nearest_rank_percentiles(values: list[float], percent: float, expected: float) -> None:
    assert nearest_rank(values, percent) == expected


def test_no_values_have_no_percentile() -> None:
    assert nearest_rank([], 50) is None


def job(n: int, priority: str, wait: int | None, status: str = "succeeded") -> JobOutcome:
    """A job submitted at 10:00:00 that started `wait` seconds later (None: never)."""
    started = None if wait is None else f"2026-11-24T10:00:{wait:02d}Z"
    return JobOutcome(f"j-{n}", f"n-{n}", "scoring", priority, status, SUBMITTED, started)


def test_waits_are_from_submission_to_start_per_priority_class_highest_first() -> None:
    normal = [job(1, "normal", 10), job(2, "normal", 30), job(3, "normal", 20)]
    jobs = [*normal, job(4, "critical", 2), job(5, "critical", 4), job(6, "low", None, "cancelled")]
    stats = wait_stats(jobs)
    assert [(s.priority, s.jobs, s.started, s.p50, s.p95) for s in stats] == [
        ("critical", 2, 2, 2.0, 4.0),
        ("normal", 3, 3, 20.0, 30.0),
        ("low", 1, 0, None, None),
    ]


def cluster(cluster_id: str, profile: str, state: str) -> dict[str, Any]:
    return {"cluster_id": cluster_id, "profile": profile, "state": state}


def test_clusters_started_and_stopped_during_the_demo_are_counted_per_profile() -> None:
    # Given one small cluster running and one large already terminated when the demo began
    log = ClusterLog.starting(
        [cluster("s1", "small", "READY"), cluster("l0", "large", "TERMINATED")]
    )
    # When two more small clusters start, then one of them and the first one go
    log.sample(
        [
            cluster("s1", "small", "BUSY"),
            cluster("s2", "small", "STARTING"),
            cluster("s3", "small", "REQUESTED"),
            cluster("l0", "large", "TERMINATED"),
        ]
    )
    log.sample([cluster("s1", "small", "DECOMMISSIONING"), cluster("s3", "small", "READY")])
    pools = [
        {"profile": "small", "minimum": 1, "maximum": 3},
        {"profile": "large", "minimum": 0, "maximum": 2},
    ]
    stats = {s.profile: s for s in cluster_stats(log, pools)}
    # Then s2 (gone from the list) and s1 stopped; l0 had stopped before
    small = stats["small"]
    assert (small.started, small.stopped, small.peak, small.active_now) == (2, 2, 3, 1)
    assert (small.minimum, small.maximum) == (1, 3)
    assert (stats["large"].started, stats["large"].stopped, stats["large"].peak) == (0, 0, 0)


def metrics(minutes: dict[str, float], dollars: dict[str, float]) -> dict[str, Any]:
    return {
        "cluster_seconds": [
            {"profile": p, "phase": phase, "value": m * 60 / 2}
            for p, m in minutes.items()
            for phase in ("idle", "busy")
        ],
        "cost_dollars": [{"profile": p, "value": v} for p, v in dollars.items()],
    }


def test_cluster_minutes_and_cost_are_the_difference_over_the_demo() -> None:
    before = metrics({"small": 10}, {"small": 1.0})
    after = metrics({"small": 25, "large": 4}, {"small": 1.5, "large": 2.0})
    cost = cost_summary(before, after)
    assert cost is not None and cost.since_demo
    assert [(p.profile, p.cluster_minutes, p.cost_dollars) for p in cost.profiles] == [
        ("large", 4.0, 2.0),
        ("small", 15.0, 0.5),
    ]
    assert (cost.cluster_minutes, cost.cost_dollars) == (19.0, 2.5)


def test_without_a_reading_before_the_totals_are_since_the_monitor_began() -> None:
    cost = cost_summary(None, {"metrics": metrics({"small": 3}, {"small": 0.25})})
    assert cost is not None and not cost.since_demo
    assert cost.cluster_minutes == 3.0


def test_without_metrics_there_is_no_cost() -> None:
    assert cost_summary(None, None) is None
    assert cost_summary(None, {"at": "2026-11-24T10:00:00Z"}) is None


def report(jobs: list[JobOutcome], planned: int | None = None, **kw: Any) -> DemoReport:
    fields: dict[str, Any] = {"stuck": [], "clusters": None, "cost": None}
    return DemoReport(jobs, len(jobs) if planned is None else planned, 2, 7, 12.0, **(fields | kw))


def test_a_demo_where_every_job_succeeded_passes() -> None:
    done = report([job(1, "high", 1), job(2, "low", 3)])
    assert (done.ok, done.exit_code) == (True, 0)
    text = format_report(done)
    assert "every job succeeded" in text
    assert "n/a (monitor unavailable)" in text
    assert "n/a (cluster service unavailable)" in text


@pytest.mark.parametrize(
    ("jobs", "kw", "problem"),
    [
        ([job(1, "high", 1, "failed")], {}, "1 did not succeed: j-1 (failed)"),
        ([job(1, "high", None, "lost")], {}, "1 lost: j-1"),
        ([job(1, "high", None, "queued")], {"stuck": ["j-1"]}, "1 stuck"),
        ([job(1, "high", 1)], {"planned": 3}, "2 of 3 never submitted"),
    ],
)
def test_a_failed_lost_stuck_or_missing_job_fails_the_demo(
    jobs: list[JobOutcome], kw: dict[str, Any], problem: str
) -> None:
    failed = report(jobs, **kw)
    assert (failed.ok, failed.exit_code) == (False, 1)
    assert problem in format_report(failed).splitlines()[-1]


def test_the_json_report_holds_the_waits_and_the_verdict() -> None:
    document = report([job(1, "high", 4)]).to_json()
    assert document["jobs"][0]["wait_seconds"] == 4.0
    assert document["waits"] == [
        {"priority": "high", "jobs": 1, "started": 1, "p50": 4.0, "p95": 4.0}
    ]
    assert (document["ok"], document["exit_code"], document["lost"]) == (True, 0, [])


def _run(
    tenant: str, submitted: int, started: int | None, ran: int, estimate: int | None
) -> JobOutcome:
    def at(second: int | None) -> str | None:
        return None if second is None else f"2026-11-24T10:{second // 60:02d}:{second % 60:02d}Z"

    finished = None if started is None else started + ran
    return JobOutcome(
        f"{tenant}-{submitted}",
        "job",
        "scoring",
        "normal",
        "succeeded" if started is not None else "queued",
        at(submitted),
        at(started),
        at(finished),
        tenant=tenant,
        estimated_start=at(estimate),
    )


def test_tenant_stats_give_each_tenant_its_waits_and_share_of_slot_time() -> None:
    outcomes = [
        _run("demo", 0, 10, 30, None),
        _run("demo", 0, 20, 30, None),
        _run("acme", 5, 5, 20, None),
        _run("acme", 6, None, 0, None),
    ]
    stats = tenant_stats(outcomes)

    assert [(s.tenant, s.jobs, s.started, s.p50, s.p95) for s in stats] == [
        ("demo", 2, 2, 10.0, 20.0),
        ("acme", 2, 1, 0.0, 0.0),
    ]
    assert [s.slot_share for s in stats] == [pytest.approx(0.75), pytest.approx(0.25)]


def test_estimate_stats_rate_the_estimate_at_submission_against_the_start_either_way() -> None:
    errors = [(10, 12), (10, 4), (10, 10), (10, 40)]  # started, estimated: 2, 6, 0, 30 off
    outcomes = [_run("demo", 0, started, 5, estimate) for started, estimate in errors]
    outcomes += [_run("demo", 0, 3, 5, None), _run("demo", 0, None, 0, 9)]

    stats = estimate_stats(outcomes)

    assert (stats.jobs, stats.without, stats.median_error, stats.p90_error) == (4, 1, 2.0, 30.0)
