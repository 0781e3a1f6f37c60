"""jobctl against the job service's Chalice app served over HTTP: submit, status, list,
cancel, watch, each with --json and with the API's refusals."""

from __future__ import annotations

import json

from tests.cli.support import FRAGILE, OTHER_KEY, FakeEmr, Platform, free_port, wait_for

PARAMS = ("-p", "date=2026-11-24", "-p", "duration:=2")
FAST = ("--interval", "0.05", "--timeout", "10")


def submitted(
    platform: Platform, *extra: str, name: str = "nightly", profile: str = "scoring"
) -> str:
    result = platform.run("--json", "submit", profile, "--name", name, *PARAMS, *extra)
    assert result.code == 0, result.err
    job_id: str = result.json()["job_id"]
    return job_id


def test_submit_answers_with_the_stored_job_and_its_place_in_the_queue(
    platform: Platform,
) -> None:
    first = platform.run("submit", "scoring", "--name", "a", *PARAMS)
    second = platform.run("--json", "submit", "scoring", "--name", "b", *PARAMS)
    assert (first.code, second.code) == (0, 0)
    assert first.out.startswith("submitted job ") and "(queued, 0 ahead" in first.out
    body = second.json()
    assert (body["status"], body["queue_position"]) == ("queued", 1)
    assert body["links"]["self"] == f"/jobs/{body['job_id']}"


def test_submit_sends_parameters_priority_and_idempotency_key(platform: Platform) -> None:
    job_id = submitted(platform, "--priority", "critical", "--idempotency-key", "nightly-1")
    again = submitted(platform, "--priority", "critical", "--idempotency-key", "nightly-1")
    job = platform.run("--json", "status", job_id).json()
    assert again == job_id
    assert (job["priority"], job["parameters"]) == (
        "critical",
        {"date": "2026-11-24", "duration": 2},
    )


def test_a_refused_submission_shows_the_apis_message_and_exits_6(platform: Platform) -> None:
    result = platform.run("submit", "scoring", "--name", "x", "-p", "date=2026-11-24")
    assert (result.code, result.out) == (6, "")
    assert "answered 400 missing_parameter" in result.err
    assert "(field: parameters.duration)" in result.err


def test_an_unknown_profile_is_not_found_with_json_error_body(platform: Platform) -> None:
    result = platform.run("--json", "submit", "nope", "--name", "x")
    error = json.loads(result.err)
    assert (result.code, error["http_status"], error["error"]["field"]) == (3, 404, "profile")


def test_status_shows_one_job(platform: Platform) -> None:
    job_id = submitted(platform)
    text = platform.run("status", job_id)
    as_json = platform.run("status", job_id, "--json")
    assert text.code == as_json.code == 0
    assert f"job:            {job_id}" in text.out
    assert "waiting:        waiting for a cluster of cluster profile small" in text.out
    assert as_json.json()["cluster_profile"] == "small"


def test_another_tenants_job_is_not_found(platform: Platform) -> None:
    job_id = submitted(platform)
    result = platform.run("status", job_id, "--api-key", OTHER_KEY)
    assert result.code == 3
    assert "answered 404 job_not_found" in result.err and "GET /jobs lists your jobs" in result.err


def test_a_wrong_key_is_refused_with_exit_4(platform: Platform) -> None:
    result = platform.run("list", JOBCTL_API_KEY="not-a-key-of-anyone")
    assert result.code == 4
    assert "answered 401 unauthorized" in result.err and "(field: X-Api-Key)" in result.err


def test_nothing_listening_exits_5(platform: Platform) -> None:
    result = platform.run("list", "--job-url", f"http://127.0.0.1:{free_port()}")
    assert result.code == 5
    assert "does not answer" in result.err and "make run" in result.err


def test_list_pages_and_all_follows_next_token(platform: Platform) -> None:
    ids = [submitted(platform, name=f"job-{n}") for n in range(5)]
    page = platform.run("--json", "list", "--limit", "2")
    assert [j["job_id"] for j in page.json()["jobs"]] == ids[::-1][:2]
    token = page.json()["next_token"]
    nxt = platform.run("--json", "list", "--limit", "2", "--next-token", token)
    assert [j["job_id"] for j in nxt.json()["jobs"]] == ids[::-1][2:4]
    every = platform.run("--json", "list", "--limit", "2", "--all")
    assert [j["job_id"] for j in every.json()["jobs"]] == ids[::-1]
    text = platform.run("list", "--limit", "2")
    assert len(text.out.splitlines()) == 3 and "more jobs: --all" in text.err


def test_list_filters_by_status_and_profile(platform: Platform) -> None:
    kept, cancelled = submitted(platform), submitted(platform)
    platform.run("cancel", cancelled)
    found = platform.run("--json", "list", "--status", "queued", "--profile", "scoring").json()
    assert [j["job_id"] for j in found["jobs"]] == [kept]


def test_cancel_ends_a_queued_job_and_a_second_cancel_is_refused(platform: Platform) -> None:
    job_id = submitted(platform)
    first = platform.run("cancel", job_id)
    second = platform.run("--json", "cancel", job_id)
    assert (first.code, first.out) == (0, f"job {job_id} is cancelled\n")
    assert second.code == 6
    assert json.loads(second.err)["http_status"] == 409


def test_watch_follows_jobs_until_they_end_and_exits_0(platform: Platform) -> None:
    ids = [submitted(platform, name=f"w-{n}") for n in range(3)]
    with FakeEmr(platform):
        result = platform.run("watch", *ids, *FAST)
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == "3 jobs: 3 succeeded"
    assert all(f"{job_id} " in result.out for job_id in ids)


def test_watch_without_ids_follows_every_unfinished_job(platform: Platform) -> None:
    ids = {submitted(platform, name=f"w-{n}") for n in range(5)}
    with FakeEmr(platform, delay=0.3):
        result = platform.run("--json", "watch", *FAST)
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert result.code == 0
    assert {line["job_id"] for line in lines if line["status"] == "succeeded"} == ids


def test_watch_exits_1_when_a_job_fails(platform: Platform) -> None:
    ok, fragile = submitted(platform), submitted(platform, profile=FRAGILE)
    with FakeEmr(platform, fail={"s-FAKE00000002"}) as emr:
        wait_for(lambda: len(emr.finished) == 2)
        result = platform.run("watch", ok, fragile, *FAST)
    assert result.code == 1, result.err
    assert f"{fragile} nightly: unknown -> failed" in result.out


def test_watch_gives_up_at_the_timeout_with_exit_8(platform: Platform) -> None:
    job_id = submitted(platform)
    result = platform.run("watch", job_id, "--interval", "0.05", "--timeout", "0.2")
    assert result.code == 8
    assert "gave up after 0.2s" in result.err


def test_submit_wait_prints_the_ended_job_and_exits_by_its_outcome(platform: Platform) -> None:
    with FakeEmr(platform, delay=0.2):
        result = platform.run(
            "--json", "submit", "scoring", "--name", "w", *PARAMS, "--wait", *FAST
        )
    assert result.code == 0, result.err
    assert result.json()["status"] == "succeeded"


def test_submit_wait_on_a_job_that_fails_exits_1(platform: Platform) -> None:
    with FakeEmr(platform, fail={"s-FAKE00000001"}, delay=0.2):
        result = platform.run("submit", FRAGILE, "--name", "w", *PARAMS, "--wait", *FAST)
    assert result.code == 1, result.err
    assert "status:     failed" in result.out
    assert "failure:    the EMR step failed" in result.out
    assert result.err.startswith("submitted job ")
