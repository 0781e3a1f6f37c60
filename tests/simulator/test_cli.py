"""`python -m simulator`: the JSON's shape, and bad input → one line and exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.cli import main

CSV = (
    "submit_time,run_time_s,profile,priority,tenant\n"
    "0,300,small,critical,a\n"
    "30,600,small,high,b\n"
    "90,1200,medium,normal,a\n"
)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "jobs.csv"
    path.write_text(CSV)
    return path


def test_compare_writes_the_issues_json_shape_and_a_report(
    log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.json"
    code = main(
        [
            "compare",
            "--log",
            str(log),
            "--sla",
            "critical=600",
            "--json",
            str(out),
            "--report",
            str(tmp_path / "report"),
        ]
    )
    assert code == 0
    document = json.loads(out.read_text())
    assert document["log"]["jobs"] == 3
    assert document["sla"] == {"critical": 600.0}
    assert isinstance(document["elapsed_s"], float)
    names = [p["name"] for p in document["policies"]]
    assert names == [
        "platform",
        "static",
        "static_max",
        "cluster_per_job",
        "ttl_only",
        "lower_bound",
    ]
    for policy in document["policies"]:
        assert {
            "name",
            "settings",
            "cost_usd",
            "cluster_hours",
            "clusters_started",
            "utilization",
            "jobs_finished",
            "wait_s",
            "sla_met",
        } <= set(policy)
        assert policy["jobs_finished"] == 3
        assert set(policy["wait_s"]["critical"]) >= {"p50", "p95", "p99"}
    html = (tmp_path / "report" / "report.html").read_text()
    assert html.count("data:image/png;base64,") >= 3 and "<script src" not in html
    assert "platform" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["compare", "--log", "missing.swf", "--json", "o.json"], "no log at missing.swf"),
        (
            ["compare", "--log", "{log}", "--sla", "critical=-5", "--json", "o.json"],
            "impossible target",
        ),
        (
            ["compare", "--log", "{log}", "--sla", "urgent=5", "--json", "o.json"],
            "class one of critical",
        ),
        (
            ["compare", "--log", "{log}", "--scenario", "{bad_scenario}", "--json", "o.json"],
            "unknown field(s) colour",
        ),
        (["plan", "--log", "{log}", "--json", "o.json"], "--sla"),
        (["compare", "--log", "{text}", "--json", "o.json"], "expected a .swf"),
        (["simulate"], "invalid choice"),
        (
            ["compare", "--log", "{log}", "--sla", "critical=5", "--json", "o.json"],
            "impossible SLA {'critical': 5.0}",
        ),
        (
            ["compare", "--log", "{log}", "--policies", "magic", "--json", "o.json"],
            "--policies: unknown ['magic']",
        ),
    ],
)
def test_bad_input_gets_one_clear_line_and_exit_code_2(
    arguments: list[str],
    message: str,
    log: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad_scenario = tmp_path / "bad.yaml"
    bad_scenario.write_text("colour: blue\n")
    text = tmp_path / "log.txt"
    text.write_text("hello\n")
    values = {"log": log, "bad_scenario": bad_scenario, "text": text}
    with pytest.raises(SystemExit) as exited:
        raise SystemExit(main([a.format(**values) for a in arguments]))
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
