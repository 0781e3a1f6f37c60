"""jobctl's arguments (argparse). Global options may come before or after the command."""

from __future__ import annotations

import argparse
from typing import Final

from cli.argtypes import count, history_page, page_size, positive
from cli.commands import CommandAdder, Handler, dead_letters, export, jobs, platform, tenants
from cli.demo.command import add_demo_command
from cli.exits import exit_codes_help
from cli.settings import (
    CLUSTER_URL,
    ENV_API_KEY,
    ENV_CLUSTER_URL,
    ENV_JOB_URL,
    ENV_MONITOR_URL,
    ENV_OPERATOR_KEY,
    JOB_URL,
    MONITOR_URL,
)

PRIORITIES: Final = ("critical", "high", "normal", "low")
STATUSES: Final = (
    "submitted",
    "queued",
    "allocated",
    "running",
    "succeeded",
    "failed",
    "cancelled",
)
CLUSTER_STATES: Final = (
    "REQUESTED",
    "PROVISIONING",
    "STARTING",
    "BOOTSTRAPPING",
    "READY",
    "BUSY",
    "DECOMMISSIONING",
    "TERMINATED",
    "FAILED",
)
DESCRIPTION: Final = """\
Submit and follow analytics jobs on the EMR control plane, and look after its pools.
Without --api-key or JOBCTL_API_KEY the local demo key is sent, to a service on this
machine only."""


def global_options(suppress: bool) -> argparse.ArgumentParser:
    """The options every command takes; on the commands their defaults are left unset, so an
    option given before the command is not overwritten."""
    parent = argparse.ArgumentParser(add_help=False)
    default = argparse.SUPPRESS if suppress else None
    group = parent.add_argument_group("global options")
    group.add_argument(
        "--json", action="store_true", default=default or False, help="print JSON instead of tables"
    )
    group.add_argument(
        "--api-key",
        default=default,
        metavar="KEY",
        help=f"the tenant's key for the job service (env {ENV_API_KEY})",
    )
    group.add_argument(
        "--operator-key",
        default=default,
        metavar="KEY",
        help=f"the operators' key for the cluster and monitor services (env {ENV_OPERATOR_KEY})",
    )
    group.add_argument(
        "--job-url",
        default=default,
        metavar="URL",
        help=f"the job service (env {ENV_JOB_URL}; default {JOB_URL})",
    )
    group.add_argument(
        "--cluster-url",
        default=default,
        metavar="URL",
        help=f"the cluster service (env {ENV_CLUSTER_URL}; default {CLUSTER_URL})",
    )
    group.add_argument(
        "--monitor-url",
        default=default,
        metavar="URL",
        help=f"the monitor service (env {ENV_MONITOR_URL}; default {MONITOR_URL})",
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jobctl",
        description=DESCRIPTION,
        epilog=exit_codes_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[global_options(False)],
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = global_options(True)

    def command(name: str, handler: Handler, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help, parents=[common])
        sub.set_defaults(handler=handler)
        return sub

    _job_commands(command)
    _platform_commands(command, common)
    dead_letters.add_command(command, common)
    add_demo_command(command)
    return parser


def _follow_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--interval",
        type=positive,
        default=1.0,
        metavar="SECONDS",
        help="seconds between polls (default 1)",
    )
    sub.add_argument(
        "--timeout",
        type=positive,
        default=None,
        metavar="SECONDS",
        help="give up (exit 8) after this long; default: wait as long as it takes",
    )


def _job_commands(command: CommandAdder) -> None:
    sub = command("submit", jobs.submit, "submit a job under a job profile")
    sub.add_argument("profile", help="the job profile (see `jobctl profiles`)")
    sub.add_argument("--name", required=True, help="a name for the job")
    sub.add_argument(
        "--param",
        "-p",
        action="append",
        metavar="NAME=VALUE",
        help="a parameter of the profile's step template; NAME:=JSON for a number "
        "or true/false (repeat for each)",
    )
    sub.add_argument(
        "--priority",
        choices=PRIORITIES,
        help="one of the profile's allowed priorities (default: its priority class)",
    )
    sub.add_argument(
        "--idempotency-key",
        metavar="KEY",
        help="a repeated submission with the same key answers with the same job",
    )
    sub.add_argument(
        "--wait",
        action="store_true",
        help="follow the job until it ends; exit 0 only if it succeeded",
    )
    _follow_options(sub)

    sub = command("status", jobs.status, "show one job")
    sub.add_argument("job_id")

    sub = command("list", jobs.list_jobs, "list your jobs, newest first")
    sub.add_argument("--status", choices=STATUSES)
    sub.add_argument("--profile", help="only jobs of this job profile")
    sub.add_argument("--limit", type=page_size, default=None, help="jobs per page (1-100)")
    sub.add_argument("--next-token", help="the page after the one that gave this token")
    sub.add_argument("--all", action="store_true", help="every page")

    sub = command("cancel", jobs.cancel, "cancel a job that has not ended")
    sub.add_argument("job_id")

    sub = command("watch", jobs.watch, "follow jobs until every one has ended")
    sub.add_argument(
        "job_ids",
        nargs="*",
        metavar="JOB_ID",
        help="the jobs to follow (default: every job of yours not ended yet)",
    )
    _follow_options(sub)


def _platform_commands(command: CommandAdder, common: argparse.ArgumentParser) -> None:
    command("profiles", platform.profiles, "list the job profiles")
    command("cluster-profiles", platform.cluster_profiles, "list the cluster profiles (operators)")
    sub = command("clusters", platform.clusters, "list clusters and their states (operators)")
    sub.add_argument("--profile", help="only this cluster profile's clusters")
    sub.add_argument("--state", choices=CLUSTER_STATES)

    pools = command(
        "pools",
        platform.pools,
        "show the pools (`pools show [PROFILE]`) or change "
        "one (`pools set PROFILE ...`); operators",
    )
    pools.set_defaults(profile=None)
    actions = pools.add_subparsers(dest="pools_action", metavar="ACTION")
    sub = actions.add_parser("show", parents=[common], help="show every pool, or one")
    sub.add_argument("profile", nargs="?", help="only this cluster profile's pool")
    sub = actions.add_parser("set", parents=[common], help="change a pool's thresholds at run time")
    sub.set_defaults(handler=platform.set_pool)
    sub.add_argument("profile", help="the cluster profile whose pool to change")
    sub.add_argument("--min", type=count, help="clusters kept running with no work")
    sub.add_argument("--max", type=count, help="clusters the pool never exceeds")
    sub.add_argument(
        "--idle-ttl",
        type=count,
        metavar="SECONDS",
        help="how long a cluster above the minimum may stay idle",
    )

    command("health", platform.health, "the services' and clusters' health (monitor service)")

    sub = command(
        "tenants",
        tenants.list_tenants,
        "list (`tenants [list]`), register (`tenants create NAME`), show, change (`set`) "
        "tenants and make or revoke their keys (`add-key`, `revoke-key`); operators",
    )
    tenants.add_arguments(sub, common, PRIORITIES)

    sub = command(
        "export",
        export.export,
        "the jobs submitted in [--from, --to) as the capacity simulator's CSV, on stdout "
        "(monitor service; operators)",
    )
    sub.add_argument(
        "--from",
        dest="start",
        required=True,
        type=export.iso_time,
        metavar="ISO",
        help="jobs submitted at or after this time (ISO 8601; no offset means UTC)",
    )
    sub.add_argument(
        "--to",
        dest="end",
        required=True,
        type=export.iso_time,
        metavar="ISO",
        help="jobs submitted before this time",
    )
    sub.add_argument(
        "--page-size",
        type=history_page,
        default=1000,
        metavar="N",
        help="rows asked of the monitor per request (1-1000, default 1000)",
    )
