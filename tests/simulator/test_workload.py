"""Logs in: SWF lines from the bundled KTH log, the default mapping, CSV, errors."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.logfile import LogError
from simulator.swf import parse_swf_line
from simulator.workload import (
    Mapping,
    hour_of_week,
    open_log,
    window,
)

KTH = Path(__file__).resolve().parents[2] / "simulator" / "data" / "KTH-SP2-1996-2.1-cln.swf.gz"
HEADER = "; Version: 2.2\n; UnixStartTime: 843480031\n; TimeZone: 3600\n"
# The first records of the KTH-SP2 log (Parallel Workloads Archive), verbatim
LINES = [
    "   15   599850 192180   3477    4     -1    -1    4  53940    -1  1  12  12  -1 -1 -1 -1 -1",
    "   16   600022  11940   2488   25     -1    -1   25   3600    -1  1  13  13  -1 -1 -1 -1 -1",
    "   17   600476 364560 215337    5     -1    -1    5 215400    -1  0  14  14  -1 -1 -1 -1 -1",
    "   19   603930   8100     29    8     -1    -1    8   2400    -1  1  16  16  -1 -1 -1 -1 -1",
    "   20   605396      0     16    1     -1    -1    1     60    -1  1  17  17  -1 -1 -1 -1 -1",
]


def test_an_swf_record_gives_submit_run_processors_estimate_and_user() -> None:
    record = parse_swf_line(LINES[0], 1)
    assert record is not None
    assert (record.submit, record.run, record.procs, record.req_time, record.user) == (
        599850,
        3477,
        4,
        53940,
        12,
    )


def test_comments_and_blank_lines_are_no_records_and_a_short_line_is_an_error() -> None:
    assert parse_swf_line("; MaxNodes: 100") is None
    assert parse_swf_line("   ") is None
    with pytest.raises(LogError, match="line 7: an SWF record has 18 fields"):
        parse_swf_line("1 2 3", 7)
    with pytest.raises(LogError, match="not a number"):
        parse_swf_line(" ".join(["x"] * 18), 3)


def _swf(tmp_path: Path, lines: list[str], name: str = "log.swf.gz") -> Path:
    path = tmp_path / name
    with gzip.open(path, "wt") as out:
        out.write(HEADER + "\n".join(lines) + "\n")
    return path


def test_the_default_mapping_cuts_processors_and_estimates_at_the_logs_own_quantiles(
    tmp_path: Path,
) -> None:
    workload = open_log(_swf(tmp_path, LINES), Mapping(top_tenants=2))
    jobs = list(workload.jobs())
    # processors 4, 25, 5, 8, 1: the median (5) and the 90th percentile (25) are the cuts
    assert workload.summary.profile_cuts == (5.0, 25.0)
    assert [j.profile for j in jobs] == ["small", "medium", "small", "medium", "small"]
    # estimates 53940, 3600, 215400, 2400, 60: cuts at the 10th, 30th, 80th percentiles are
    # 60, 2400, 53940, and a value up to a cut falls in its class (shortest → critical)
    assert workload.summary.priority_cuts == (60.0, 2400.0, 53940.0)
    assert [j.priority for j in jobs] == ["normal", "normal", "low", "high", "critical"]
    assert [j.submit_s for j in jobs] == [0, 172, 626, 4080, 5546]
    assert workload.summary.jobs == 5 and round(workload.span_days, 3) == 0.064
    assert sum(j.tenant == "other" for j in jobs) == 3


def test_the_bundled_kth_log_reads_whole_with_its_start_in_its_own_time_zone() -> None:
    workload = open_log(KTH, Mapping())
    assert workload.summary.jobs == 28_476
    assert 332 < workload.span_days < 334
    # UnixStartTime is Mon 23 Sep 1996 12:00:31 UTC; TimeZone 3600 makes it 13:00 local, and
    # the first job came 599850 s (6 days 22.6 hours) later
    assert hour_of_week(workload.summary, 0.0) == (13 + 599_850 // 3600) % 168


def test_csv_rows_become_jobs_and_bad_rows_are_named(tmp_path: Path) -> None:
    good = tmp_path / "jobs.csv"
    good.write_text(
        "submit_time,run_time_s,profile,priority,tenant\n"
        "100,60,small,critical,a\n"
        "160,30,large,low,b\n"
    )
    jobs = list(open_log(good, Mapping()).jobs())
    assert [(j.submit_s, j.run_s, j.profile, j.priority, j.tenant) for j in jobs] == [
        (0, 60, "small", "critical", "a"),
        (60, 30, "large", "low", "b"),
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("submit_time,run_time_s,profile,priority,tenant\n0,1,small,urgent,a\n")
    with pytest.raises(LogError, match="line 2: priority 'urgent'"):
        open_log(bad, Mapping())
    missing = tmp_path / "missing.csv"
    missing.write_text("submit_time,run_time_s\n0,1\n")
    with pytest.raises(LogError, match="lacks profile, priority, tenant"):
        open_log(missing, Mapping())


def test_a_window_restarts_the_clock_at_its_start(tmp_path: Path) -> None:
    workload = open_log(_swf(tmp_path, LINES), Mapping())
    later = window(workload, 600.0, 5000.0, "later")
    assert [(j.index, j.submit_s) for j in later.jobs()] == [(0, 26.0), (1, 3480.0)]
    assert later.summary.jobs == 2


@given(
    procs=st.lists(st.integers(1, 128), min_size=3, max_size=40),
)
def test_more_processors_never_map_to_a_smaller_profile(procs: list[int]) -> None:
    import tempfile

    lines = [
        f"{i} {i * 10} 0 60 {p} -1 -1 {p} 60 -1 1 {i % 3} 1 -1 -1 -1 -1 -1"
        for i, p in enumerate(procs)
    ]
    with tempfile.TemporaryDirectory() as folder:
        jobs = list(open_log(_swf(Path(folder), lines), Mapping()).jobs())
    order = {"small": 0, "medium": 1, "large": 2}
    pairs = sorted(zip(procs, (order[j.profile] for j in jobs), strict=True))
    assert [rank for _, rank in pairs] == sorted(rank for _, rank in pairs)


def test_a_mapping_naming_an_unknown_field_is_refused() -> None:
    with pytest.raises(LogError, match="unknown SWF field 'cores'"):
        Mapping(profile_field="cores")
