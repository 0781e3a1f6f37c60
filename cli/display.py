"""How followed jobs are shown: a table redrawn in place on a terminal, lines otherwise."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final, TextIO

from cli.progress import Change, Tracker, Watched
from cli.render import duration, table

ORDER: Final = ("running", "allocated", "queued", "submitted", "unknown")
"""Unfinished jobs first, the busiest first; finished ones after them."""
HEADERS: Final = ("JOB", "NAME", "PROFILE", "PRIORITY", "STATUS", "FOR")


def summary_line(tracker: Tracker, elapsed: float | None = None) -> str:
    """'12 jobs: 2 running, 3 queued, 7 succeeded (42s)'."""
    counts = tracker.counts()
    known = [s for s in (*ORDER, "succeeded", "failed", "cancelled", "lost") if counts[s]]
    others = sorted(set(counts) - set(known))
    parts = ", ".join(f"{counts[s]} {s}" for s in (*known, *others))
    took = "" if elapsed is None else f" ({duration(elapsed)})"
    return f"{len(tracker.jobs)} jobs: {parts or 'none'}{took}"


def job_row(job: Watched, now: float) -> list[str | None]:
    return [
        job.job_id[:8],
        job.name,
        job.profile,
        job.priority,
        job.status,
        duration(max(0.0, now - job.since)),
    ]


def ordered(tracker: Tracker) -> list[Watched]:
    def rank(job: Watched) -> int:
        return ORDER.index(job.status) if job.status in ORDER else len(ORDER)

    return sorted(tracker.jobs.values(), key=rank)


def terminal_size() -> tuple[int, int]:
    """Columns and lines of the terminal (100 x 30 when unknown)."""
    size = shutil.get_terminal_size((100, 30))
    return size.columns, size.lines


class LiveTable:
    """The jobs as a table redrawn in place (ANSI cursor moves), cut to the terminal's height."""

    def __init__(
        self, out: TextIO, title: str = "", size: Callable[[], tuple[int, int]] | None = None
    ) -> None:
        self.out, self.title = out, title
        self._size = size or terminal_size
        self._drawn = 0
        self._started: float | None = None
        self.note = ""

    def update(self, tracker: Tracker, changes: list[Change], note: str = "") -> None:
        self._draw(tracker, note or self.note)

    def say(self, message: str) -> None:
        """The message becomes the table's title until the next one."""
        self.title = message

    def close(self, tracker: Tracker) -> None:
        self._draw(tracker, self.note)

    def _draw(self, tracker: Tracker, note: str) -> None:
        width, height = self._size()
        lines = self.lines(tracker, note, max(height - 2, 5))
        erase = f"\x1b[{self._drawn}F\x1b[J" if self._drawn else ""
        self.out.write(erase + "".join(line[:width] + "\n" for line in lines))
        self.out.flush()
        self._drawn = len(lines)

    def lines(self, tracker: Tracker, note: str, room: int) -> list[str]:
        now = tracker.clock()
        self._started = now if self._started is None else self._started
        head = [line for line in (self.title, summary_line(tracker, now - self._started)) if line]
        jobs = ordered(tracker)
        rows = room - len(head) - 1 - (1 if note else 0)
        shown = jobs if len(jobs) <= rows else jobs[: max(rows - 1, 0)]
        body = table(HEADERS, [job_row(job, now) for job in shown]).splitlines()
        if len(shown) < len(jobs):
            body.append(f"... and {len(jobs) - len(shown)} more")
        return [*head, *body, *([note] if note else [])]


class ChangeLines:
    """One line per status change, for logs and pipes."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._last_note = ""

    def update(self, tracker: Tracker, changes: list[Change], note: str = "") -> None:
        for change in changes:
            job = change.job
            stamp = datetime.now().strftime("%H:%M:%S")
            name = f" {job.name}" if job.name else ""
            self.out.write(f"{stamp} {job.job_id}{name}: {change.before} -> {change.after}\n")
        if note and note != self._last_note:
            self.out.write(note + "\n")
        self._last_note = note
        self.out.flush()

    def say(self, message: str) -> None:
        self.out.write(f"{datetime.now().strftime('%H:%M:%S')} {message}\n")
        self.out.flush()

    def close(self, tracker: Tracker) -> None:
        self.out.write(summary_line(tracker) + "\n")
        self.out.flush()


class JsonLines:
    """One JSON object per status change (--json)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def update(self, tracker: Tracker, changes: list[Change], note: str = "") -> None:
        for change in changes:
            job = change.job
            line = {
                "job_id": job.job_id,
                "name": job.name,
                "profile": job.profile,
                "priority": job.priority,
                "before": change.before,
                "status": change.after,
                "at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            }
            self.out.write(json.dumps(line) + "\n")
        self.out.flush()

    def say(self, message: str) -> None:
        self.out.write(json.dumps({"message": message}) + "\n")
        self.out.flush()

    def close(self, tracker: Tracker) -> None:
        """Nothing: every change has been written."""


class Silent:
    """Shows nothing (submit --wait --json prints only the job at the end)."""

    def update(self, tracker: Tracker, changes: list[Change], note: str = "") -> None:
        """Nothing."""

    def say(self, message: str) -> None:
        """Nothing."""

    def close(self, tracker: Tracker) -> None:
        """Nothing."""


def display_for(out: TextIO, as_json: bool, title: str = "") -> LiveTable | ChangeLines | JsonLines:
    """JSON lines for --json, the live table on a terminal, change lines otherwise."""
    if as_json:
        return JsonLines(out)
    if out.isatty():
        return LiveTable(out, title)
    return ChangeLines(out)
