"""GET /audit/jobs: the recorded job history (one row per job submitted in a time range), what
`jobctl export` writes as the simulator's CSV."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from urllib.parse import quote

import pytest

from monitor_service.api.views import JobHistoryView
from tests.monitor_service import support as s
from tests.monitor_service.api_support import ApiWorld

EVENTS = [
    # j-1: started at 303, its step RUNNING 305 → COMPLETED 365 by EMR, JobSucceeded heard at 367
    s.submitted("j-1", 0, tenant="acme", priority="high"),
    s.started("j-1", 303, tenant="acme", step="s-J1"),
    s.emr_step_change("j-C1", "s-J1", "RUNNING", 305),
    s.emr_step_change("j-C1", "s-J1", "COMPLETED", 365),
    s.succeeded("j-1", 367, tenant="acme"),
    # j-2: no EMR step event recorded: JobStarted → JobSucceeded
    s.submitted("j-2", 100, tenant="globex", profile="medium", priority="low"),
    s.started("j-2", 400, tenant="globex", step="s-J2"),
    s.succeeded("j-2", 430, tenant="globex"),
    # j-3 cancelled in its queue; j-4 still waits
    s.submitted("j-3", 200),
    s.cancelled("j-3", 250),
    s.submitted("j-4", 500),
]


def when(seconds: float) -> str:
    return quote(s.at(seconds).isoformat())


@pytest.fixture
def world() -> Iterator[ApiWorld]:
    with ApiWorld() as world:
        world.world.deliver_all([(_seconds(e), e) for e in EVENTS])
        world.world.set(1000)
        yield world


def _seconds(event: s.Event) -> float:
    if isinstance(event, dict):
        return datetime.fromisoformat(event["time"]).timestamp() - s.T0.timestamp()
    return event.occurred_at.timestamp() - s.T0.timestamp()


def test_each_job_submitted_in_the_range_has_one_row_in_submission_order(world: ApiWorld) -> None:
    body = JobHistoryView.model_validate(world.get("/audit/jobs").body)
    rows = {run.job_id: run for run in body.jobs}
    assert [run.job_id for run in body.jobs] == ["j-1", "j-2", "j-3", "j-4"]
    assert body.next_token is None
    one = rows["j-1"]
    assert (one.tenant_id, one.cluster_profile, one.priority) == ("acme", "small", "high")
    assert (one.outcome, one.attempts, one.wait_s) == ("succeeded", 1, 303.0)
    assert one.run_time_s == 60.0, "EMR's RUNNING to COMPLETED when both were recorded"
    two = rows["j-2"]
    assert (two.cluster_profile, two.priority, two.run_time_s) == ("medium", "low", 30.0)
    three = rows["j-3"]
    assert (three.outcome, three.started_at, three.run_time_s) == ("cancelled", None, None)
    four = rows["j-4"]
    assert (four.outcome, four.wait_s, four.run_time_s) == (None, None, None)


def test_from_and_to_choose_by_submission_time(world: ApiWorld) -> None:
    body = world.get(f"/audit/jobs?from={when(100)}&to={when(500)}").body
    assert [run["job_id"] for run in body["jobs"]] == ["j-2", "j-3"]


def test_pages_follow_next_token_to_the_end(world: ApiWorld) -> None:
    seen: list[str] = []
    reply = world.get(f"/audit/jobs?limit=3&from={when(0)}")
    while True:
        seen += [run["job_id"] for run in reply.body["jobs"]]
        token = reply.body["next_token"]
        if token is None:
            break
        reply = world.get(f"/audit/jobs?limit=3&from={when(0)}&next_token={token}")
    assert seen == ["j-1", "j-2", "j-3", "j-4"]


def test_as_of_answers_from_what_was_recorded_by_then(world: ApiWorld) -> None:
    body = world.get(f"/audit/jobs?as_of={when(350)}").body
    rows = {run["job_id"]: run for run in body["jobs"]}
    assert set(rows) == {"j-1", "j-2", "j-3"}
    assert (rows["j-1"]["outcome"], rows["j-1"]["run_time_s"]) == (None, None)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=yesterday", "from"),
        ("to=2026-13-01", "to"),
        (f"from={when(500)}&to={when(100)}", "to"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("next_token=not-a-token", "next_token"),
        ("type=JobSubmitted", "type"),
    ],
)
def test_bad_queries_get_a_400_naming_the_parameter(
    world: ApiWorld, query: str, field: str
) -> None:
    reply = world.get(f"/audit/jobs?{query}")
    assert reply.status == 400, reply.body
    assert reply.error["field"] == field


def test_a_token_of_other_filters_or_of_the_event_log_is_refused(world: ApiWorld) -> None:
    token = world.get(f"/audit/jobs?limit=1&from={when(0)}").body["next_token"]
    assert world.get(f"/audit/jobs?limit=1&next_token={token}").error["code"] == (
        "invalid_next_token"
    )
    events = world.get("/audit/events?limit=1").body["next_token"]
    assert world.get(f"/audit/jobs?next_token={events}").status == 400


def test_only_operators_may_read_it(world: ApiWorld) -> None:
    assert world.get("/audit/jobs", key=None).status == 401
    assert world.get("/audit/jobs", key="a-wrong-key").status == 401
