"""`jobctl export` against the monitor's Chalice app over HTTP: the CSV the simulator reads."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.workload import Mapping, open_log
from tests.cli.support import Platform
from tests.monitor_service import support as s

EVENTS = [
    s.submitted("j-1", 0, tenant="acme", priority="high"),
    s.started("j-1", 20, tenant="acme", step="s-J1"),
    s.succeeded("j-1", 80, tenant="acme"),
    s.submitted("j-2", 30, tenant="globex", profile="medium", priority="low"),
    s.submitted("j-3", 40, tenant="acme"),
    s.started("j-3", 50, tenant="acme", step="s-J3"),
    s.succeeded("j-3", 55, tenant="acme"),
    s.submitted("j-4", 60),
    s.cancelled("j-4", 61),
]


@pytest.fixture
def platform() -> Iterator[Platform]:
    monitor = s.World()
    monitor.deliver_all([(e.occurred_at.timestamp() - s.T0.timestamp(), e) for e in EVENTS])
    monitor.set(100)
    served = Platform.start(monitor)
    try:
        yield served
    finally:
        served.close()


def window(start: float, end: float) -> tuple[str, ...]:
    return ("--from", s.at(start).isoformat(), "--to", s.at(end).isoformat())


def test_export_writes_the_jobs_that_ran_and_the_simulator_reads_them(
    platform: Platform, tmp_path: Path
) -> None:
    result = platform.run("export", *window(0, 100), "--page-size", "2")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert [(r["job_id"], r["profile"], r["priority"], r["tenant"]) for r in rows] == [
        ("j-1", "small", "high", "acme"),
        ("j-3", "small", "normal", "acme"),
    ]
    assert "exported 2 jobs" in result.err
    assert "1 cancelled before a step started, 1 had not ended" in result.err
    log = tmp_path / "history.csv"
    log.write_text(result.out)
    workload = open_log(log, Mapping())
    jobs = list(workload.jobs())
    assert [(j.submit_s, j.run_s, j.profile, j.priority, j.tenant) for j in jobs] == [
        (0.0, 60.0, "small", "high", "acme"),
        (40.0, 5.0, "small", "normal", "acme"),
    ]


def test_the_range_chooses_by_submission_time(platform: Platform) -> None:
    result = platform.run("export", *window(10, 60))
    assert [r["job_id"] for r in csv.DictReader(io.StringIO(result.out))] == ["j-3"]
    assert "1 had not ended" in result.err


def test_an_empty_range_writes_only_the_header_and_says_so(platform: Platform) -> None:
    result = platform.run("export", *window(90, 100))
    assert result.code == 0
    assert result.out.splitlines() == [
        "submit_time,run_time_s,profile,priority,tenant,job_id,job_profile,outcome,wait_s"
    ]
    assert "the simulator needs at least one row" in result.err


def test_the_monitor_refusing_the_key_is_exit_4(platform: Platform) -> None:
    result = platform.run("export", *window(0, 100), "--operator-key", "not-an-operator-key")
    assert result.code == 4
