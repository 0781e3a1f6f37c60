"""The demo against the served job and cluster services, with FakeEmr running the steps."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from cli.api import Apis
from cli.demo import DemoOptions, format_report, run_demo
from cli.demo.platform import LocalPlatform, answers
from cli.demo.workload import plan_workload
from cli.display import Silent
from cli.exits import ApiError, CliError
from cli.settings import Settings
from local_runtime.emr_driver.settings import step_request
from tests.cli.support import JOB_PROFILES, OTHER_KEY, FakeEmr, Platform, free_port
from tests.monitor_service.api_support import busy_world

QUICK = {"gap_seconds": 0.3, "interval": 0.05, "deadline_seconds": 20.0, "duration_scale": 1.0}


def apis_of(platform: Platform) -> Apis:
    return Apis(Settings.resolve(platform.env))


def demo_options(**overrides: Any) -> DemoOptions:
    return DemoOptions(**(QUICK | {"jobs": 12, "bursts": 3, "seed": 4} | overrides))


def step_seconds(platform: Platform) -> list[float]:
    """The run time each step asked the driver for, sorted."""
    args = [step.config["HadoopJarStep"]["Args"] for step in platform.runner.steps.values()]
    return sorted(step_request(a).seconds or 0.0 for a in args)


def test_every_job_of_the_workload_succeeds_and_is_summarized(platform: Platform) -> None:
    # Given the platform with clusters that run every step
    with FakeEmr(platform):
        # When the demo runs a workload of 12 jobs in 3 bursts
        report = run_demo(apis_of(platform), demo_options(), today=date(2026, 11, 24))
    # Then every job succeeded and none is lost or stuck
    assert (report.ok, report.exit_code, len(report.jobs)) == (True, 0, 12)
    assert {job.status for job in report.jobs} == {"succeeded"}
    assert {job.profile for job in report.jobs} == set(JOB_PROFILES)
    # And each priority class has its wait percentiles, from the jobs' own times
    waits = {w.priority: w for w in report.waits}
    assert set(waits) == {"critical", "high", "normal", "low"}
    assert all(
        w.started == w.jobs and w.p50 is not None and w.p95 is not None for w in waits.values()
    )
    # And the clusters are summarized per cluster profile; the monitor is not there
    assert report.clusters is not None
    assert {c.profile for c in report.clusters} == {"small", "medium", "large"}
    assert report.cost is None
    assert "cluster time and cost:\nn/a (monitor unavailable)" in format_report(report)


def test_each_step_runs_for_the_time_the_workload_planned(platform: Platform) -> None:
    options = demo_options(jobs=6, bursts=2)
    with FakeEmr(platform):
        report = run_demo(apis_of(platform), options)
    assert report.ok
    allowed = {"training": ["high", "normal", "low"]}  # as seeded: no critical training
    plan = plan_workload(6, 2, options.seed, options.gap_seconds, allowed=allowed)
    assert step_seconds(platform) == sorted(job.seconds for burst in plan for job in burst.jobs)


def test_jobs_that_never_end_are_stuck_and_fail_the_demo(platform: Platform) -> None:
    # Given no cluster ever comes up
    report = run_demo(apis_of(platform), demo_options(jobs=4, bursts=1, deadline_seconds=0.3))
    assert (report.ok, report.exit_code) == (False, 1)
    assert len(report.stuck) == 4
    assert "4 stuck" in format_report(report).splitlines()[-1]


def test_a_missing_job_profile_stops_the_demo_before_any_submission(platform: Platform) -> None:
    with pytest.raises(ApiError) as refused:
        run_demo(apis_of(platform), demo_options(profiles=("scoring", "forecasting")))
    assert refused.value.exit_code == 3
    assert "`make run` seeds them" in refused.value.message
    assert platform.run("--json", "list").json()["jobs"] == []


def test_the_demo_command_prints_the_report_and_exits_0(platform: Platform) -> None:
    with FakeEmr(platform):
        result = platform.run(
            "demo",
            "--jobs",
            "8",
            "--bursts",
            "2",
            "--gap",
            "0.2",
            "--interval",
            "0.05",
            "--deadline",
            "20",
            "--settle",
            "0",
            "--no-start",
        )
    assert result.code == 0, result.out + result.err
    assert "wait from submission to start, by priority" in result.out
    assert result.out.rstrip().endswith("every job succeeded")


def test_the_demo_command_with_json_prints_the_report_document(platform: Platform) -> None:
    with FakeEmr(platform):
        result = platform.run(
            "--json",
            "demo",
            "--jobs",
            "4",
            "--bursts",
            "2",
            "--gap",
            "0.2",
            "--interval",
            "0.05",
            "--settle",
            "0",
            "--no-start",
        )
    document = result.json()
    assert (result.code, document["ok"], len(document["jobs"])) == (0, True, 4)


def test_the_demo_does_not_start_a_platform_when_told_not_to(platform: Platform) -> None:
    result = platform.run("demo", "--no-start", JOBCTL_JOB_URL=f"http://127.0.0.1:{free_port()}")
    assert result.code == 5
    assert "start the platform (`make run`)" in result.err


def test_the_local_platform_is_started_until_ready_and_stopped(tmp_path: Any) -> None:
    marker = tmp_path / "ready"
    script = f"import pathlib, time; pathlib.Path({str(marker)!r}).touch(); time.sleep(60)"
    platform = LocalPlatform(marker.exists, tmp_path / "log", ["python3", "-c", script], 20)
    platform.start()
    assert platform.process is not None and platform.process.poll() is None
    platform.stop()
    assert platform.process.poll() is not None


def test_a_platform_that_exits_at_start_shows_its_log(tmp_path: Any) -> None:
    script = "import sys; print('port 5000 is already in use'); sys.exit(2)"
    platform = LocalPlatform(lambda: False, tmp_path / "log", ["python3", "-c", script], 20)
    with pytest.raises(CliError) as failed:
        platform.start()
    assert failed.value.exit_code == 5
    assert "exited with 2" in failed.value.message
    assert "| port 5000 is already in use" in failed.value.message


def test_answers_tells_a_listening_service_from_a_closed_port(platform: Platform) -> None:
    assert answers(platform.env["JOBCTL_JOB_URL"])
    assert not answers(f"http://127.0.0.1:{free_port()}")


class MonitorClock(Silent):
    """Moves the monitor's clock 10 minutes on when the first burst is submitted (after the
    demo's first reading of /metrics): the clusters it knows run 10 minutes more."""

    def __init__(self, world: Any) -> None:
        self.world, self.moved = world, False

    def say(self, message: str) -> None:
        if not self.moved:
            self.world.now += timedelta(minutes=10)
            self.moved = True


def test_cluster_minutes_and_cost_come_from_the_monitor_over_the_demo() -> None:
    # Given a monitor that followed a platform whose 8 clusters are up (1 large busy, 3 medium
    # and 4 small idle or busy)
    world, _ = busy_world(jobs=20, until=900)
    platform = Platform.start(monitor=world)
    try:
        # When the demo runs while the monitor's clock moves 10 minutes
        with FakeEmr(platform):
            report = run_demo(
                apis_of(platform), demo_options(jobs=4, bursts=1), MonitorClock(world)
            )
    finally:
        platform.close()
    # Then the cluster time and cost are the monitor's growth over the demo
    assert report.ok and report.cost is not None and report.cost.since_demo
    minutes = {p.profile: p.cluster_minutes for p in report.cost.profiles}
    dollars = {p.profile: p.cost_dollars for p in report.cost.profiles}
    assert minutes == {"large": 20.0, "medium": 30.0, "small": 30.0}
    assert dollars == pytest.approx({"large": 3.52, "medium": 1.2, "small": 0.36})
    assert "total    80.00            $5.0800" in format_report(report)


def test_with_a_second_tenant_the_report_is_per_tenant_and_rates_the_estimates(
    platform: Platform,
) -> None:
    # Given the demo's own tenant, a second one, and a key the job service does not know
    tenants = (("tenant-2", OTHER_KEY), ("ghost", "no-such-key"))
    with FakeEmr(platform):
        # When the demo runs: bursts from its own tenant, a steady stream from the other
        report = run_demo(apis_of(platform), demo_options(jobs=12, bursts=2, tenants=tenants))
    # Then every job succeeded, half of them each tenant's
    assert report.ok
    assert [(t.tenant, t.jobs, t.started) for t in report.tenants] == [
        ("demo", 6, 6),
        ("tenant-2", 6, 6),
    ]
    shares = [t.slot_share for t in report.tenants]
    assert all(share is not None and 0 < share < 1 for share in shares)
    assert sum(s or 0 for s in shares) == pytest.approx(1)
    # And the refused key is left out, with a note
    assert report.notes[0] == "tenant ghost left out: the job service answered 401"
    # And the estimates given at submission are rated against the actual starts
    estimates = report.estimates
    assert estimates.jobs + estimates.without == 12
    text = format_report(report)
    assert "by tenant: wait from submission to start, and share of slot time:" in text
    assert "start estimates given at submission against the actual start:" in text
    assert report.to_json()["tenants"][1]["tenant"] == "tenant-2"
