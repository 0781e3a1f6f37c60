"""submit, status, list, cancel and watch: a tenant's jobs on the job service."""

from __future__ import annotations

import argparse
import json
from typing import Any

from cli.api import Json
from cli.commands import Context
from cli.display import Silent, display_for
from cli.exits import OK, TIMED_OUT, UsageError
from cli.progress import Display, Tracker, follow, track
from cli.render import cell_text, duration, key_values, seconds_between, short_time, table


def parse_parameters(items: list[str]) -> dict[str, Any]:
    """`name=text` gives a string; `name:=json` a JSON value (a number, true or false)."""
    parameters: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        typed = name.endswith(":")
        name = name.removesuffix(":")
        if not sep or not name:
            raise UsageError(f"--param {item!r}: write name=value (or name:=json for a number)")
        if name in parameters:
            raise UsageError(f"--param {name} is given twice")
        parameters[name] = _json_value(name, raw) if typed else raw
    return parameters


def _json_value(name: str, raw: str) -> Any:
    try:
        value = json.loads(raw)
    except ValueError:
        raise UsageError(f"--param {name}:={raw}: not a JSON value (for text, use =)") from None
    if isinstance(value, dict | list) or value is None:
        raise UsageError(f"--param {name}:={raw}: give a number, true, false or a string")
    return value


def submit(ctx: Context, args: argparse.Namespace) -> int:
    parameters = parse_parameters(args.param or [])
    accepted = ctx.apis.jobs.submit(
        args.profile, args.name, parameters, args.priority, args.idempotency_key
    )
    if not args.wait:
        ctx.emit(accepted, lambda: _accepted_text(accepted))
        return OK
    if not ctx.as_json:
        ctx.tell(_accepted_text(accepted))
    return _wait(ctx, [accepted["job_id"]], args.interval, args.timeout, show_jobs=True)


def _accepted_text(accepted: Json) -> str:
    position = accepted.get("queue_position")
    place = "" if position is None else f", {position} ahead in the queue"
    return f"submitted job {accepted['job_id']} ({accepted['status']}{place})"


def status(ctx: Context, args: argparse.Namespace) -> int:
    job = ctx.apis.jobs.job(args.job_id)
    ctx.emit(job, lambda: job_text(job))
    return OK


def job_text(job: Json) -> str:
    times = job.get("times") or {}
    waited = seconds_between(times.get("submitted"), times.get("started"))
    ran = seconds_between(times.get("started"), times.get("finished"))
    took = {k: None if v is None else duration(v) for k, v in (("waited", waited), ("ran", ran))}
    pairs = [
        ("job", job["job_id"]),
        ("name", job.get("name")),
        ("status", job.get("status")),
        ("profile", f"{job.get('profile')} (cluster profile {job.get('cluster_profile')})"),
        ("priority", job.get("priority")),
        ("attempts", f"{job.get('attempts')} of {job.get('max_attempts')}"),
        ("cluster", job.get("cluster")),
        ("parameters", job.get("parameters")),
        ("submitted", times.get("submitted")),
        ("started", times.get("started")),
        ("finished", times.get("finished")),
        ("waited", took["waited"]),
        ("ran", took["ran"]),
    ]
    for label, key in (
        ("queue position", "queue_position"),
        ("waiting", "waiting_reason"),
        ("expected start", "estimated_start_at"),
        ("estimated from", "estimate_basis"),
        ("retry at", "retry_at"),
        ("failure", "failure_reason"),
    ):
        if job.get(key) is not None:
            pairs.append((label, job[key]))
    return key_values(pairs)


def list_jobs(ctx: Context, args: argparse.Namespace) -> int:
    jobs = ctx.apis.jobs
    if args.all:
        found = list(jobs.jobs(args.status, args.profile, args.limit or 100))
        ctx.emit({"jobs": found, "next_token": None}, lambda: jobs_table(found))
        return OK
    page = jobs.page(args.status, args.profile, args.limit, args.next_token)
    ctx.emit(page, lambda: jobs_table(page["jobs"]))
    if page.get("next_token") and not ctx.as_json:
        ctx.tell(f"more jobs: --all, or --next-token {page['next_token']}")
    return OK


def jobs_table(jobs: list[Json]) -> str:
    if not jobs:
        return "no jobs"
    rows = [
        [
            j["job_id"],
            j.get("name"),
            j.get("profile"),
            j.get("priority"),
            j.get("status"),
            short_time(j.get("submitted_at")),
        ]
        for j in jobs
    ]
    return table(("JOB", "NAME", "PROFILE", "PRIORITY", "STATUS", "SUBMITTED"), rows)


def cancel(ctx: Context, args: argparse.Namespace) -> int:
    job = ctx.apis.jobs.cancel(args.job_id)
    ctx.emit(job, lambda: f"job {job['job_id']} is {cell_text(job.get('status'))}")
    return OK


def watch(ctx: Context, args: argparse.Namespace) -> int:
    return _wait(ctx, args.job_ids, args.interval, args.timeout, show_jobs=False)


def _wait(
    ctx: Context, job_ids: list[str], interval: float, timeout: float | None, show_jobs: bool
) -> int:
    """Follow the jobs until they end: 0 all succeeded, 1 one did not, 3 lost, 8 timed out."""
    tracker = Tracker(ctx.apis.jobs)
    track(tracker, job_ids)
    if not tracker.jobs:
        ctx.emit({"jobs": []}, lambda: "no unfinished jobs to watch")
        return OK
    if show_jobs:  # progress on stderr, the jobs at the end on stdout
        display: Display = Silent() if ctx.as_json else display_for(ctx.err, False)
    else:
        display = display_for(ctx.out, ctx.as_json)
    if not follow(tracker, display, interval=interval, timeout=timeout):
        ctx.tell(f"gave up after {duration(timeout)}: not every job has ended")
        return TIMED_OUT
    if show_jobs:
        for job_id in tracker.jobs:
            if tracker.jobs[job_id].status != "lost":
                status(ctx, argparse.Namespace(job_id=job_id))
    return tracker.exit_code()
