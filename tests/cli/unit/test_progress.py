"""Following jobs: the tracker's polls, follow's loop and exit codes, and the displays."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

from cli.display import ChangeLines, JsonLines, LiveTable, summary_line
from cli.exits import ApiError, Unreachable
from cli.progress import LISTING_FROM, MAX_MISSED_POLLS, Tracker, follow


class FakeJobs:
    """The job API's reads, answering from `statuses`; counts the requests."""

    def __init__(self, statuses: dict[str, str]) -> None:
        self.statuses = statuses
        self.requests: list[str] = []
        self.down = 0

    def jobs(self, status: str | None = None, *_: Any) -> Iterator[dict[str, Any]]:
        self._request("list")
        for job_id, found in reversed(self.statuses.items()):
            if status in (None, found):
                yield {"job_id": job_id, "name": f"n-{job_id}", "status": found}

    def job(self, job_id: str) -> dict[str, Any]:
        self._request(f"get {job_id}")
        if job_id not in self.statuses:
            raise ApiError("job service", 404, {"error": {"code": "job_not_found"}}, "")
        return {"job_id": job_id, "name": f"n-{job_id}", "status": self.statuses[job_id]}

    def _request(self, what: str) -> None:
        if self.down:
            self.down -= 1
            raise Unreachable("down")
        self.requests.append(what)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Recorder:
    def __init__(self) -> None:
        self.changes: list[tuple[str, str, str]] = []
        self.notes: list[str] = []
        self.closed = False

    def update(self, tracker: Tracker, changes: list[Any], note: str = "") -> None:
        self.changes += [(c.job.job_id, c.before, c.after) for c in changes]
        self.notes += [note] if note else []

    def say(self, message: str) -> None:
        self.notes.append(message)

    def close(self, tracker: Tracker) -> None:
        self.closed = True


def tracker_of(api: FakeJobs, *job_ids: str) -> tuple[Tracker, Clock]:
    clock = Clock()
    tracker = Tracker(api, clock)  # type: ignore[arg-type]
    for job_id in job_ids:
        tracker.add(job_id)
    return tracker, clock


def test_a_few_jobs_are_polled_one_by_one_and_their_changes_reported() -> None:
    api = FakeJobs({"a": "queued", "b": "running"})
    tracker, _ = tracker_of(api, "a", "b")
    changes = tracker.refresh()
    assert [(c.job.job_id, c.before, c.after) for c in changes] == [
        ("a", "unknown", "queued"),
        ("b", "unknown", "running"),
    ]
    assert api.requests == ["get a", "get b"]
    assert tracker.refresh() == []


def test_many_jobs_are_polled_through_the_listing() -> None:
    api = FakeJobs({str(n): "queued" for n in range(LISTING_FROM + 2)})
    tracker, _ = tracker_of(api, *api.statuses)
    tracker.refresh()
    assert api.requests == ["list"]


def test_finished_jobs_are_not_polled_again() -> None:
    api = FakeJobs({"a": "succeeded", "b": "queued"})
    tracker, _ = tracker_of(api, "a", "b")
    tracker.refresh()
    api.requests.clear()
    tracker.refresh()
    assert api.requests == ["get b"]


def test_a_job_the_api_no_longer_knows_is_lost_and_exits_3() -> None:
    tracker, _ = tracker_of(FakeJobs({"a": "succeeded"}), "a", "gone")
    tracker.refresh()
    assert tracker.jobs["gone"].status == "lost"
    assert (tracker.done, tracker.exit_code()) == (True, 3)


@pytest.mark.parametrize(
    ("statuses", "code"),
    [
        ({"a": "succeeded", "b": "succeeded"}, 0),
        ({"a": "succeeded", "b": "failed"}, 1),
        ({"a": "cancelled", "b": "succeeded"}, 1),
    ],
)
def test_following_ends_when_every_job_has_ended(statuses: dict[str, str], code: int) -> None:
    tracker, clock = tracker_of(FakeJobs(statuses), *statuses)
    display = Recorder()
    assert follow(tracker, display, sleep=clock.sleep) is True
    assert (tracker.exit_code(), display.closed) == (code, True)


def test_following_polls_until_the_jobs_end() -> None:
    api = FakeJobs({"a": "queued"})
    tracker, clock = tracker_of(api, "a")
    display = Recorder()

    def sleep(seconds: float) -> None:
        clock.sleep(seconds)
        api.statuses["a"] = {"queued": "running", "running": "succeeded"}[api.statuses["a"]]

    assert follow(tracker, display, interval=2, sleep=sleep)
    assert display.changes == [
        ("a", "unknown", "queued"),
        ("a", "queued", "running"),
        ("a", "running", "succeeded"),
    ]
    assert clock.now == 4


def test_following_gives_up_at_the_timeout() -> None:
    tracker, clock = tracker_of(FakeJobs({"a": "queued"}), "a")
    assert follow(tracker, Recorder(), interval=1, timeout=3, sleep=clock.sleep) is False
    assert clock.now == 3
    assert tracker.exit_code() == 1


def test_following_waits_while_the_step_says_more_jobs_will_come() -> None:
    api = FakeJobs({"a": "succeeded", "b": "succeeded"})
    tracker, clock = tracker_of(api, "a")
    steps = iter([True, True, False])

    def step() -> bool:
        more = next(steps)
        if not more:
            tracker.add("b")
        return more

    assert follow(tracker, Recorder(), step=step, sleep=clock.sleep)
    assert list(tracker.jobs) == ["a", "b"]


def test_a_few_missed_polls_are_retried_then_the_service_is_unreachable() -> None:
    api = FakeJobs({"a": "succeeded"})
    api.down = MAX_MISSED_POLLS - 1
    tracker, clock = tracker_of(api, "a")
    display = Recorder()
    assert follow(tracker, display, sleep=clock.sleep)
    assert (
        display.notes[-1] == f"the job service did not answer ({MAX_MISSED_POLLS - 1}x); retrying"
    )

    api.down = MAX_MISSED_POLLS
    tracker, clock = tracker_of(api, "b")
    with pytest.raises(Unreachable):
        follow(tracker, Recorder(), sleep=clock.sleep)


def test_the_live_table_shows_unfinished_jobs_first_and_fits_the_terminal() -> None:
    statuses = {f"job{n:04d}-x": "succeeded" for n in range(20)} | {"run00000-x": "running"}
    tracker, _ = tracker_of(FakeJobs(statuses), *statuses)
    tracker.refresh()
    live = LiveTable(io.StringIO(), "demo", size=lambda: (80, 12))
    lines = live.lines(tracker, "", room=10)
    assert lines[:2] == ["demo", "21 jobs: 1 running, 20 succeeded (0.0s)"]
    assert lines[3].split()[:2] == ["run00000", "n-run00000-x"]
    assert (len(lines), lines[-1]) == (10, "... and 15 more")


def test_the_live_table_redraws_in_place() -> None:
    out = io.StringIO()
    tracker, _ = tracker_of(FakeJobs({"a": "queued"}), "a")
    live = LiveTable(out, size=lambda: (80, 20))
    live.update(tracker, tracker.refresh())
    first = out.getvalue()
    live.update(tracker, [])
    assert "\x1b[" not in first
    assert out.getvalue()[len(first) :].startswith(f"\x1b[{first.count(chr(10))}F\x1b[J")


def test_change_lines_say_what_changed_and_end_with_the_counts() -> None:
    out = io.StringIO()
    tracker, _ = tracker_of(FakeJobs({"a": "failed"}), "a")
    lines = ChangeLines(out)
    lines.update(tracker, tracker.refresh())
    lines.close(tracker)
    first, last = out.getvalue().splitlines()
    assert first.endswith(" a n-a: unknown -> failed")
    assert last == "1 jobs: 1 failed"


def test_json_lines_are_one_object_per_change() -> None:
    out = io.StringIO()
    tracker, _ = tracker_of(FakeJobs({"a": "running"}), "a")
    JsonLines(out).update(tracker, tracker.refresh())
    line = json.loads(out.getvalue())
    assert (line["job_id"], line["before"], line["status"]) == ("a", "unknown", "running")


def test_the_summary_line_counts_statuses_in_a_fixed_order() -> None:
    statuses = {"a": "succeeded", "b": "queued", "c": "running", "d": "queued"}
    tracker, _ = tracker_of(FakeJobs(statuses), *statuses)
    tracker.refresh()
    assert summary_line(tracker) == "4 jobs: 1 running, 2 queued, 1 succeeded"
