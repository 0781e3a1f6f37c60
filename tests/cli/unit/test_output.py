"""What jobctl prints: tables, job details, durations, and the API's errors with exit codes."""

from __future__ import annotations

import io
import json

import pytest

from cli.commands.jobs import job_text, jobs_table
from cli.commands.platform import health_text, pools_table
from cli.exits import (
    AUTH,
    NOT_FOUND,
    REFUSED,
    SERVER_ERROR,
    ApiError,
    CliError,
    exit_code_of,
)
from cli.render import duration, key_values, records, table

JOB = {
    "job_id": "6c1f0e5a-0000-4000-8000-000000000001",
    "name": "nightly",
    "profile": "scoring",
    "cluster_profile": "small",
    "priority": "high",
    "status": "succeeded",
    "attempts": 1,
    "max_attempts": 3,
    "timeout_seconds": 600,
    "parameters": {"date": "2026-11-24"},
    "cluster": "c-1",
    "retry_at": None,
    "failure_reason": None,
    "waiting_reason": None,
    "queue_position": None,
    "times": {
        "submitted": "2026-11-24T10:00:00Z",
        "queued": "2026-11-24T10:00:00Z",
        "allocated": "2026-11-24T10:00:04Z",
        "started": "2026-11-24T10:00:05.5Z",
        "finished": "2026-11-24T10:01:10.5Z",
    },
}


def test_a_table_aligns_its_columns_and_shows_missing_values_as_dashes() -> None:
    text = table(("A", "LONGER"), [["x", None], ["wide cell", 3]])
    assert text.splitlines() == ["A          LONGER", "x          -", "wide cell  3"]


def test_cells_show_lists_mappings_and_booleans_plainly() -> None:
    text = table(("L", "M", "B"), [[["a", "b"], {"READY": 2, "BUSY": 1}, True]])
    assert text.splitlines()[1] == "a, b  READY=2, BUSY=1  yes"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "-"), (0.25, "0.2s"), (9.96, "10.0s"), (42.4, "42s"), (185, "3m05s"), (7260, "2h01m")],
)
def test_durations_read_at_a_glance(seconds: float | None, text: str) -> None:
    assert duration(seconds) == text


def test_key_values_align_their_values() -> None:
    assert key_values([("a", 1), ("long", None)]) == "a:    1\nlong: -"


def test_a_job_shows_its_wait_and_run_time_and_leaves_out_empty_fields() -> None:
    text = job_text(JOB)
    assert "status:     succeeded" in text
    assert "attempts:   1 of 3" in text
    assert "waited:     5.5s" in text
    assert "ran:        1m05s" in text
    assert "failure" not in text and "queue position" not in text


def test_a_waiting_job_says_why() -> None:
    waiting = JOB | {
        "status": "queued",
        "waiting_reason": "queued behind 2 jobs",
        "queue_position": 2,
    }
    text = job_text(waiting)
    assert "waiting:        queued behind 2 jobs" in text
    assert "queue position: 2" in text


def test_a_waiting_job_shows_its_expected_start_and_what_it_rests_on() -> None:
    waiting = JOB | {
        "status": "queued",
        "queue_position": 2,
        "estimated_start_at": "2026-11-24T10:05:00Z",
        "estimate_basis": "2 jobs ahead; 0 free and 1 busy slots",
    }
    text = job_text(waiting)
    assert "expected start: 2026-11-24T10:05:00Z" in text
    assert "estimated from: 2 jobs ahead; 0 free and 1 busy slots" in text


def test_the_job_list_is_one_row_per_job() -> None:
    summary = {k: JOB[k] for k in ("job_id", "name", "profile", "priority", "status")}
    lines = jobs_table([summary | {"submitted_at": "2026-11-24T10:00:00Z"}]).splitlines()
    assert lines[0].split() == ["JOB", "NAME", "PROFILE", "PRIORITY", "STATUS", "SUBMITTED"]
    assert lines[1].split()[:5] == [JOB["job_id"], "nightly", "scoring", "high", "succeeded"]
    assert jobs_table([]) == "no jobs"


def test_pools_show_limits_and_clusters_by_state() -> None:
    pool = {
        "profile": "small",
        "minimum": 1,
        "maximum": 5,
        "idle_ttl_seconds": 900,
        "slots_per_cluster": 2,
        "free_slots": 1,
        "queued_jobs": 0,
        "clusters_by_state": {"READY": 1},
        "changed_by": "api",
    }
    row = pools_table([pool]).splitlines()[1]
    assert row.split() == ["small", "1", "5", "15m00s", "2", "1", "0", "READY=1", "api"]


def test_health_shows_each_list_as_a_table() -> None:
    found = {"services": [{"service": "job-service", "state": "healthy"}], "clusters": []}
    assert health_text(found) == (
        "services:\nSERVICE      STATE\njob-service  healthy\n\nclusters:\n(none)"
    )


def test_records_take_their_columns_from_the_keys() -> None:
    assert records([{"a": 1}, {"b": 2}]).splitlines() == ["A  B", "1  -", "-  2"]


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, REFUSED),
        (401, AUTH),
        (403, AUTH),
        (404, NOT_FOUND),
        (409, REFUSED),
        (413, REFUSED),
        (500, SERVER_ERROR),
        (503, SERVER_ERROR),
    ],
)
def test_each_error_status_has_its_exit_code(status: int, code: int) -> None:
    assert exit_code_of(status) == code


def test_an_api_error_shows_the_apis_message_its_field_and_every_detail() -> None:
    body = {
        "error": {
            "code": "invalid_request",
            "message": "name: is required; add it (and 1 more problem(s))",
            "field": "name",
            "details": [
                {"field": "name", "message": "is required; add it"},
                {"field": None, "message": "the body must be a JSON object"},
            ],
        }
    }
    error = ApiError("job service", 400, body, "")
    assert error.exit_code == REFUSED
    assert error.message.splitlines() == [
        "the job service answered 400 invalid_request: name: is required; add it "
        "(and 1 more problem(s)) (field: name)",
        "  - name: is required; add it",
        "  - (body): the body must be a JSON object",
    ]


def test_an_error_without_the_apis_body_shows_what_came() -> None:
    error = ApiError("job service", 502, None, "Bad Gateway")
    assert (error.message, error.exit_code) == ("the job service answered 502: Bad Gateway", 7)


def test_with_json_an_error_is_a_json_document_with_its_exit_code() -> None:
    body = {"error": {"code": "job_not_found", "message": "no job x", "field": None}}
    assert ApiError("job service", 404, body, "").document() == body | {
        "http_status": 404,
        "exit_code": NOT_FOUND,
    }
    assert CliError("nothing answers", 5).document() == {
        "error": {"message": "nothing answers"},
        "exit_code": 5,
    }


def test_json_output_of_an_error_goes_to_stderr() -> None:
    from cli.main import main

    out, err = io.StringIO(), io.StringIO()
    code = main(["--json", "pools", "set", "small"], environ={}, out=out, err=err)
    assert (code, out.getvalue()) == (2, "")
    assert json.loads(err.getvalue())["exit_code"] == 2
