"""tenants (list, create, show, set, add-key, revoke-key): the job service's tenants, for
operators (sent with the operators' key)."""

from __future__ import annotations

import argparse
from typing import Any

from cli.api import Json
from cli.commands import Context
from cli.exits import OK, UsageError
from cli.render import key_values, table


def list_tenants(ctx: Context, args: argparse.Namespace) -> int:
    found = ctx.apis.tenants.tenants()
    ctx.emit({"tenants": found}, lambda: tenants_table(found))
    return OK


def tenants_table(found: list[Json]) -> str:
    if not found:
        return "no tenants"
    rows = [
        [
            t["tenant_id"],
            t.get("name"),
            t.get("weight"),
            t.get("allowed_priorities") or "all",
            _quotas(t.get("quotas") or {}),
            len(t.get("keys") or []),
        ]
        for t in found
    ]
    return table(("TENANT", "NAME", "WEIGHT", "PRIORITIES", "QUOTAS", "KEYS"), rows)


def _quotas(quotas: Json) -> str:
    given = {k: v for k, v in quotas.items() if v not in (None, {})}
    return ", ".join(f"{k}={v}" for k, v in given.items()) or "none"


def show(ctx: Context, args: argparse.Namespace) -> int:
    found = ctx.apis.tenants.tenant(args.tenant_id)
    ctx.emit(found, lambda: tenant_text(found))
    return OK


def tenant_text(found: Json) -> str:
    keys = ", ".join(k["key_id"] for k in found.get("keys") or []) or "none"
    pairs = [
        ("tenant", found["tenant_id"]),
        ("name", found.get("name")),
        ("weight", found.get("weight")),
        ("priorities", found.get("allowed_priorities") or "all"),
        ("quotas", _quotas(found.get("quotas") or {})),
        ("keys", keys),
    ]
    if "api_key" in found:
        pairs.append(("new key", f"{found['key_id']}: {found['api_key']} (shown once: keep it)"))
    return key_values(pairs)


def _terms(args: argparse.Namespace) -> dict[str, Any]:
    """The terms the options give (only those given)."""
    body: dict[str, Any] = {}
    if args.weight is not None:
        body["weight"] = args.weight
    if args.priorities is not None:
        body["allowed_priorities"] = args.priorities
    quotas = {
        name: value
        for name, value in (
            ("max_running", args.max_running),
            ("max_queued", args.max_queued),
            ("monthly_cluster_hours", args.monthly_hours),
        )
        if value is not None
    }
    if quotas:
        body["quotas"] = quotas
    return body


def create(ctx: Context, args: argparse.Namespace) -> int:
    created = ctx.apis.tenants.create({"name": args.name} | _terms(args))
    ctx.emit(created, lambda: tenant_text(created))
    return OK


def change(ctx: Context, args: argparse.Namespace) -> int:
    changes = _terms(args)
    if not changes:
        raise UsageError(
            "tenants set: give at least one of --weight, --priorities, --max-running, "
            "--max-queued, --monthly-hours"
        )
    changed = ctx.apis.tenants.change(args.tenant_id, changes)
    ctx.emit(changed, lambda: tenant_text(changed))
    return OK


def add_key(ctx: Context, args: argparse.Namespace) -> int:
    made = ctx.apis.tenants.add_key(args.tenant_id)
    ctx.emit(
        made,
        lambda: key_values(
            [
                ("tenant", made["tenant_id"]),
                ("key id", made["key_id"]),
                ("api key", f"{made['api_key']} (shown once: keep it)"),
            ]
        ),
    )
    return OK


def revoke_key(ctx: Context, args: argparse.Namespace) -> int:
    tenant = ctx.apis.tenants.revoke_key(args.tenant_id, args.key_id)
    ctx.emit(tenant, lambda: tenant_text(tenant))
    return OK


def add_arguments(
    tenants: argparse.ArgumentParser, common: argparse.ArgumentParser, priorities: tuple[str, ...]
) -> None:
    """`tenants [list]`, `tenants create NAME`, `show ID`, `set ID`, `add-key ID`,
    `revoke-key ID KEY_ID`."""
    actions = tenants.add_subparsers(dest="tenants_action", metavar="ACTION")
    actions.add_parser("list", parents=[common], help="list every tenant")
    sub = actions.add_parser("create", parents=[common], help="register a tenant; shows its key")
    sub.set_defaults(handler=create)
    sub.add_argument("name", help="its name; the tenant id is the name as a slug")
    _term_options(sub, priorities)
    sub = actions.add_parser("show", parents=[common], help="show one tenant")
    sub.set_defaults(handler=show)
    sub.add_argument("tenant_id")
    sub = actions.add_parser("set", parents=[common], help="change a tenant's terms")
    sub.set_defaults(handler=change)
    sub.add_argument("tenant_id")
    _term_options(sub, priorities)
    sub = actions.add_parser("add-key", parents=[common], help="make another key (rotation)")
    sub.set_defaults(handler=add_key)
    sub.add_argument("tenant_id")
    sub = actions.add_parser("revoke-key", parents=[common], help="revoke one of its keys")
    sub.set_defaults(handler=revoke_key)
    sub.add_argument("tenant_id")
    sub.add_argument("key_id")


def _term_options(sub: argparse.ArgumentParser, priorities: tuple[str, ...]) -> None:
    sub.add_argument("--weight", type=float, help="its share of contended slots (default 1)")
    sub.add_argument(
        "--priorities", nargs="+", choices=priorities, help="the priorities it may use"
    )
    sub.add_argument("--max-running", type=int, help="jobs holding a slot at once")
    sub.add_argument("--max-queued", type=int, help="jobs waiting at once (beyond: 429)")
    sub.add_argument(
        "--monthly-hours", type=float, help="cluster-hours per calendar month (beyond: 403)"
    )
