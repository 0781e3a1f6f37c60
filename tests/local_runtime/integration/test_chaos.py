"""A small chaos run end to end: the platform survives kills, AWS failures, throttling and
misbehaving deliveries, and the audit finds nothing lost or run twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from local_runtime.chaos.__main__ import MUST_BE_ZERO, main
from local_runtime.chaos.faults import AWS_KINDS
from local_runtime.chaos.throttle import KINDS as THROTTLE_KINDS
from tests.support import require_integration_test

pytestmark = [pytest.mark.integration, pytest.mark.timeout(420)]


def test_a_small_chaos_run_loses_nothing(tmp_path: Path) -> None:
    require_integration_test("the whole platform")
    args = ["--jobs", "30", "--kills", "3", "--rate", "1", "--seed", "11"]
    args += ["--throttle", "0.05", "--settle-minutes", "4", "--out", str(tmp_path)]
    # When a small workload runs through kills and every kind of fault
    code = main(args)
    report = json.loads((tmp_path / "report.json").read_text())
    # Then every fault kind happened at least once, and every must-be-zero is zero
    assert report["kills"] >= 3
    for kind in (*AWS_KINDS, *THROTTLE_KINDS):
        assert report["faults"].get(kind, 0) >= 1, kind
    assert report["duplicated"] >= 1
    assert report["reordered"] >= 1
    assert report["accepted"] == 30
    assert report["ended"] == report["accepted"]
    assert {key: report[key] for key in MUST_BE_ZERO} == dict.fromkeys(MUST_BE_ZERO, 0), report[
        "details"
    ]
    assert code == 0
