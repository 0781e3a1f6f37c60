"""profiles, cluster-profiles, clusters, pools (show and set) and health."""

from __future__ import annotations

import argparse

from cli.api import Json
from cli.commands import Context
from cli.exits import OK, ApiError, Unreachable, UsageError
from cli.render import cell_text, duration, key_values, records, table


def profiles(ctx: Context, args: argparse.Namespace) -> int:
    found = ctx.apis.jobs.profiles()
    ctx.emit({"profiles": found}, lambda: job_profiles_table(found))
    return OK


def job_profiles_table(found: list[Json]) -> str:
    if not found:
        return "no job profiles"
    rows = [
        [
            p["name"],
            p.get("job_type"),
            p.get("cluster_profile"),
            p.get("priority_class"),
            p.get("allowed_priorities"),
            p.get("max_attempts"),
            duration(p.get("timeout_seconds")),
            p.get("tenants") or ["*"],
            _parameters(p.get("parameters") or {}),
            _step(p.get("step_template") or {}),
        ]
        for p in found
    ]
    headers = ("NAME", "TYPE", "CLUSTER PROFILE", "PRIORITY", "ALLOWED", "ATTEMPTS", "TIMEOUT")
    return table((*headers, "TENANTS", "PARAMETERS", "STEP"), rows)


def _parameters(declared: Json) -> str:
    """Each parameter with its type, e.g. `date: date, duration: number`."""
    return ", ".join(f"{name}: {t.get('type')}" for name, t in declared.items()) or "none"


def _step(template: Json) -> str:
    return f"{template.get('kind')}: {' '.join(template.get('args') or [])}"


def cluster_profiles(ctx: Context, args: argparse.Namespace) -> int:
    found = ctx.apis.clusters.profiles()

    def text() -> str:
        if not found:
            return "no cluster profiles"
        rows = [
            [
                p["name"],
                p.get("release_label"),
                p.get("applications"),
                p.get("master_instance_type"),
                f"{p.get('core_instance_count')} x {p.get('core_instance_type')}",
                p.get("step_concurrency"),
                duration(p.get("idle_timeout_seconds")),
            ]
            for p in found
        ]
        headers = ("NAME", "RELEASE", "APPLICATIONS", "MASTER", "CORE", "SLOTS", "IDLE TIMEOUT")
        return table(headers, rows)

    ctx.emit({"profiles": found}, text)
    return OK


def clusters(ctx: Context, args: argparse.Namespace) -> int:
    found = ctx.apis.clusters.clusters(args.profile, args.state)

    def text() -> str:
        if not found:
            return "no clusters"
        rows = [
            [
                c["cluster_id"],
                c.get("profile"),
                c.get("state"),
                c.get("emr_cluster_id"),
                f"{c.get('busy_slots')}/{c.get('slots')}",
                c.get("requested_at"),
            ]
            for c in found
        ]
        return table(("CLUSTER", "PROFILE", "STATE", "EMR", "BUSY", "REQUESTED"), rows)

    ctx.emit({"clusters": found}, text)
    return OK


def pools(ctx: Context, args: argparse.Namespace) -> int:
    if args.profile:
        found = [ctx.apis.clusters.pool(args.profile)]
        ctx.emit(found[0], lambda: pools_table(found))
    else:
        found = ctx.apis.clusters.pools()
        ctx.emit({"pools": found}, lambda: pools_table(found))
    return OK


def pools_table(found: list[Json]) -> str:
    if not found:
        return "no pools"
    rows = [
        [
            p["profile"],
            p.get("minimum"),
            p.get("maximum"),
            duration(p.get("idle_ttl_seconds")),
            p.get("slots_per_cluster"),
            p.get("free_slots"),
            p.get("queued_jobs"),
            p.get("clusters_by_state") or {},
            p.get("changed_by"),
        ]
        for p in found
    ]
    headers = ("PROFILE", "MIN", "MAX", "IDLE TTL", "SLOTS/CLUSTER", "FREE SLOTS", "QUEUED")
    return table((*headers, "CLUSTERS", "SET BY"), rows)


def set_pool(ctx: Context, args: argparse.Namespace) -> int:
    changes = {
        name: value
        for name, value in (
            ("minimum", args.min),
            ("maximum", args.max),
            ("idle_ttl_seconds", args.idle_ttl),
        )
        if value is not None
    }
    if not changes:
        raise UsageError("pools set: give at least one of --min, --max, --idle-ttl")
    pool = ctx.apis.clusters.set_pool(args.profile, changes)
    ctx.emit(pool, lambda: pools_table([pool]))
    return OK


def health(ctx: Context, args: argparse.Namespace) -> int:
    try:
        found = ctx.apis.monitor.health()
    except (ApiError, Unreachable) as error:
        if isinstance(error, Unreachable) or error.status == 404:
            error.message += "\n(is the monitor service running? its REST API may not exist yet)"
        raise
    ctx.emit(found, lambda: health_text(found))
    return OK


def health_text(found: Json) -> str:
    """Each list in the answer as a table under its name; anything else as key: value."""
    blocks: list[str] = []
    plain = [(key, value) for key, value in found.items() if not _is_rows(value)]
    if plain:
        blocks.append(key_values(plain))
    for key, value in found.items():
        if _is_rows(value):
            rows = [{k: _cell(v) for k, v in row.items()} for row in value]
            blocks.append(f"{key}:\n{records(rows) if rows else '(none)'}")
    return "\n\n".join(blocks)


def _cell(value: object) -> str:
    """A nested list of records (a service's instances) shows as how many there are."""
    if isinstance(value, list) and value and _is_rows(value):
        return str(len(value))
    return cell_text(value)


def _is_rows(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(row, dict) for row in value)
