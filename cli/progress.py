"""Following jobs until they end: a Tracker that polls their statuses, and `follow`'s loop.

The tracker reads statuses from the listing (GET /jobs, a page of 100 jobs per request) when it
follows many jobs, and asks for the rest one by one (GET /jobs/{id}); a job the API no longer
knows (404) is lost. How the progress is shown is display.py's.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from cli.api import ACTIVE, MAX_PAGE, TERMINAL, JobApi
from cli.exits import JOB_UNSUCCESSFUL, NOT_FOUND, OK, ApiError, Unreachable

LISTING_FROM: Final = 4
"""Follow this many unfinished jobs or more through the listing rather than one GET each."""
LISTING_PAGES: Final = 10
MAX_MISSED_POLLS: Final = 5
"""Consecutive polls the job service may miss before following gives up (exit 5)."""
LOST: Final = "lost"


@dataclass
class Watched:
    """What the tracker knows of one job; `since` is when it saw the status change (monotonic)."""

    job_id: str
    name: str | None = None
    profile: str | None = None
    priority: str | None = None
    status: str = "unknown"
    since: float = field(default_factory=time.monotonic)

    @property
    def done(self) -> bool:
        return self.status in TERMINAL or self.status == LOST


@dataclass(frozen=True)
class Change:
    job: Watched
    before: str
    after: str


class Tracker:
    """The jobs being followed, in the order they were added."""

    def __init__(self, api: JobApi, clock: Callable[[], float] = time.monotonic) -> None:
        self.api = api
        self.clock = clock
        self.jobs: dict[str, Watched] = {}
        self.missed_polls = 0

    def add(self, job_id: str, known: Mapping[str, Any] | None = None) -> Watched:
        """Follow `job_id` (again); `known` fills what the API said of it (name, status, ...)."""
        watched = self.jobs.get(job_id) or Watched(job_id, since=self.clock())
        for name in ("name", "profile", "priority", "status"):
            if (known or {}).get(name) is not None:
                setattr(watched, name, str((known or {})[name]))
        self.jobs[job_id] = watched
        return watched

    @property
    def done(self) -> bool:
        return all(job.done for job in self.jobs.values())

    def counts(self) -> Counter[str]:
        return Counter(job.status for job in self.jobs.values())

    def exit_code(self) -> int:
        """0 if every job succeeded; 3 if one is lost; else 1 (failed, cancelled, unfinished)."""
        statuses = self.counts()
        if statuses[LOST]:
            return NOT_FOUND
        return OK if statuses["succeeded"] == len(self.jobs) else JOB_UNSUCCESSFUL

    def refresh(self) -> list[Change]:
        """Poll the unfinished jobs once; the status changes seen."""
        pending = {job_id for job_id, job in self.jobs.items() if not job.done}
        if not pending:
            return []
        seen: dict[str, dict[str, Any]] = {}
        if len(pending) >= LISTING_FROM:
            seen = self._from_listing(pending)
        for job_id in sorted(pending - seen.keys()):
            seen[job_id] = self._one(job_id)
        return [change for job_id, found in seen.items() if (change := self._apply(job_id, found))]

    def _from_listing(self, wanted: set[str]) -> dict[str, dict[str, Any]]:
        seen: dict[str, dict[str, Any]] = {}
        for index, entry in enumerate(self.api.jobs()):
            if entry["job_id"] in wanted:
                seen[entry["job_id"]] = entry
                if len(seen) == len(wanted):
                    break
            if index >= LISTING_PAGES * MAX_PAGE:
                break
        return seen

    def _one(self, job_id: str) -> dict[str, Any]:
        try:
            return self.api.job(job_id)
        except ApiError as error:
            if error.status == 404:
                return {"status": LOST}
            raise

    def _apply(self, job_id: str, found: dict[str, Any]) -> Change | None:
        job = self.jobs[job_id]
        before = job.status
        self.add(job_id, {k: found.get(k) for k in ("name", "profile", "priority")})
        after = str(found.get("status", before))
        if after == before:
            return None
        job.status, job.since = after, self.clock()
        return Change(job, before, after)


class Display(Protocol):
    def update(self, tracker: Tracker, changes: list[Change], note: str = "") -> None:
        """Show the jobs after a poll; `note` says what went wrong with it, if anything."""

    def say(self, message: str) -> None:
        """Show a message about the whole run (a burst submitted, ...)."""

    def close(self, tracker: Tracker) -> None:
        """The last update: following has ended."""


def follow(
    tracker: Tracker,
    display: Display,
    *,
    interval: float = 1.0,
    timeout: float | None = None,
    step: Callable[[], bool] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Poll until every job is done and `step` (called first each round) says no more will come;
    False if `timeout` seconds passed first. Unreachable after MAX_MISSED_POLLS misses in a row."""
    deadline = None if timeout is None else tracker.clock() + timeout
    try:
        while True:
            more = step() if step is not None else False
            changes, note = _poll(tracker)
            display.update(tracker, changes, note)
            if tracker.done and not more:
                return True
            if deadline is not None and tracker.clock() >= deadline:
                return False
            sleep(interval)
    finally:
        display.close(tracker)


def _poll(tracker: Tracker) -> tuple[list[Change], str]:
    try:
        changes = tracker.refresh()
    except Unreachable:
        tracker.missed_polls += 1
        if tracker.missed_polls >= MAX_MISSED_POLLS:
            raise
        return [], f"the job service did not answer ({tracker.missed_polls}x); retrying"
    tracker.missed_polls = 0
    return changes, ""


def track(tracker: Tracker, job_ids: Iterable[str]) -> None:
    """Follow `job_ids`, or if none are given every job of the tenant that has not ended yet."""
    given = list(dict.fromkeys(job_ids))
    for job_id in given:
        tracker.add(job_id)
    if given:
        return
    for status in ACTIVE:
        for job in tracker.api.jobs(status=status):
            tracker.add(job["job_id"], job)
