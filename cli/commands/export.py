"""`jobctl export`: the platform's recorded job history as the capacity simulator's CSV.

It pages through the monitor's `GET /audit/jobs` (one row per job submitted in [--from, --to))
and writes, in submission order, the columns `python -m simulator compare --log` reads
(`submit_time, run_time_s, profile, priority, tenant`; simulator/workload.py) and, after them,
`job_id, job_profile, outcome, wait_s` for whoever compares the simulation with what happened
(the simulator ignores extra columns). `profile` is the cluster profile: the pool the job ran on.

Only jobs whose step ran to an end have a run time; the others (cancelled or failed before a
step started, still waiting or running at export time) are left out and counted on stderr, as
they asked the pools for nothing the simulator could replay.
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Final, TextIO

from cli.api import Json
from cli.commands import Context
from cli.exits import OK, UsageError

COLUMNS: Final = (
    "submit_time",
    "run_time_s",
    "profile",
    "priority",
    "tenant",
    "job_id",
    "job_profile",
    "outcome",
    "wait_s",
)


def iso_time(text: str) -> datetime:
    """An argparse type: ISO 8601 (a date, or a date and time; no offset means UTC)."""
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        message = f"{text!r} is not an ISO 8601 time; e.g. 2026-12-01 or 2026-12-01T09:30:00Z"
        raise argparse.ArgumentTypeError(message) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def export(ctx: Context, args: argparse.Namespace) -> int:
    start: datetime = args.start
    end: datetime = args.end
    if end <= start:
        raise UsageError(f"export: --to ({_iso(end)}) must come after --from ({_iso(start)})")
    runs = ctx.apis.monitor.job_history(_iso(start), _iso(end), page_size=args.page_size)
    written, skipped = write_csv(runs, ctx.out)
    ctx.out.flush()
    _report(ctx, written, skipped, start, end)
    return OK


def write_csv(runs: Iterable[Json], out: TextIO) -> tuple[int, Counter[str]]:
    """The simulator's CSV of `runs` (GET /audit/jobs rows) on `out`; how many rows were
    written, and why the others were left out."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    written, skipped = 0, Counter[str]()
    for run in runs:
        reason = _left_out(run)
        if reason is not None:
            skipped[reason] += 1
            continue
        writer.writerow(
            (
                run["submitted_at"],
                run["run_time_s"],
                run["cluster_profile"],
                run["priority"],
                run["tenant_id"],
                run["job_id"],
                run["job_profile"],
                run["outcome"],
                "" if run.get("wait_s") is None else run["wait_s"],
            )
        )
        written += 1
    return written, skipped


def _left_out(run: Json) -> str | None:
    if run.get("run_time_s") is not None:
        return None
    if run.get("outcome") is None:
        return "had not ended"
    return f"{run['outcome']} before a step started"


def _report(
    ctx: Context, written: int, skipped: Counter[str], start: datetime, end: datetime
) -> None:
    window = f"submitted from {_iso(start)} to {_iso(end)}"
    message = f"exported {written} job{'s' * (written != 1)} {window}"
    if skipped:
        reasons = ", ".join(f"{n} {why}" for why, n in sorted(skipped.items()))
        message += f"; left out (no run time): {reasons}"
    ctx.tell(message)
    if not written:
        ctx.tell("no job ran in that range: the simulator needs at least one row")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
