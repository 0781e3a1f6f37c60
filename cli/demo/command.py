"""`jobctl demo` and `python -m cli.demo` (what `make demo` runs)."""

from __future__ import annotations

import argparse
from contextlib import ExitStack

from cli.argtypes import count, positive
from cli.commands import CommandAdder, Context
from cli.demo.platform import LOG_FILE, LocalPlatform, answers
from cli.demo.report import format_report
from cli.demo.runner import DemoOptions, run_demo
from cli.demo.workload import PROFILES
from cli.display import display_for
from cli.exits import UNREACHABLE, ApiError, CliError, UsageError
from cli.settings import is_local


def add_demo_command(command: CommandAdder) -> None:
    sub = command("demo", demo, "run a mixed workload through the platform and summarize it")
    defaults = DemoOptions()
    sub.add_argument("--jobs", type=count, default=defaults.jobs, help="jobs in all (default 60)")
    sub.add_argument(
        "--bursts", type=count, default=defaults.bursts, help="bursts they arrive in (default 4)"
    )
    sub.add_argument(
        "--seed",
        type=int,
        default=defaults.seed,
        help="the same seed plans the same workload (default 7)",
    )
    sub.add_argument(
        "--gap",
        type=positive,
        default=defaults.gap_seconds,
        metavar="SECONDS",
        help="seconds between bursts (default 8)",
    )
    sub.add_argument(
        "--duration-scale",
        type=positive,
        default=defaults.duration_scale,
        metavar="FACTOR",
        help="multiplies every step's run time (default 1)",
    )
    sub.add_argument(
        "--profiles",
        default=",".join(PROFILES),
        metavar="A,B,C",
        help=f"job profiles to use (default {','.join(PROFILES)})",
    )
    sub.add_argument(
        "--interval",
        type=positive,
        default=defaults.interval,
        metavar="SECONDS",
        help="seconds between polls (default 1)",
    )
    sub.add_argument(
        "--deadline",
        type=positive,
        default=defaults.deadline_seconds,
        metavar="SECONDS",
        help="a job not ended by then is stuck (default 600)",
    )
    sub.add_argument(
        "--settle",
        type=count,
        default=120,
        metavar="SECONDS",
        help="then wait up to this long for the pools to fall back to their "
        "minimum (default 120; 0: do not wait)",
    )
    sub.add_argument(
        "--tenant",
        action="append",
        default=[],
        metavar="NAME=KEY",
        help="a further tenant's API key (repeatable): the demo's own key then submits half the "
        "jobs in bursts and these tenants a steady stream each; a key the job service refuses "
        "is left out",
    )
    sub.add_argument(
        "--no-start",
        action="store_true",
        help="never start the platform; fail (exit 5) if it is not running",
    )


def options_of(args: argparse.Namespace) -> DemoOptions:
    profiles = tuple(p.strip() for p in args.profiles.split(",") if p.strip())
    if not profiles:
        raise UsageError("--profiles: name at least one job profile")
    if not 1 <= args.bursts <= args.jobs:
        raise UsageError(f"--bursts must be between 1 and --jobs ({args.jobs})")
    tenants = []
    for given in args.tenant:
        name, _, key = given.partition("=")
        if not name.strip() or not key.strip():
            raise UsageError(f"--tenant {given!r}: give NAME=KEY, e.g. acme=local-acme-key")
        tenants.append((name.strip(), key.strip()))
    return DemoOptions(
        jobs=args.jobs,
        bursts=args.bursts,
        seed=args.seed,
        gap_seconds=args.gap,
        duration_scale=args.duration_scale,
        profiles=profiles,
        interval=args.interval,
        deadline_seconds=args.deadline,
        settle_seconds=float(args.settle),
        tenants=tuple(tenants),
    )


def demo(ctx: Context, args: argparse.Namespace) -> int:
    """0 if every job succeeded; 1 if one failed, was lost or is stuck (the report says which)."""
    options = options_of(args)
    with ExitStack() as stack:
        _ensure_platform(ctx, args, stack, options)
        progress = ctx.err if ctx.as_json else ctx.out
        display = display_for(progress, False, title="demo")
        report = run_demo(ctx.apis, options, display)
    ctx.emit(report.to_json(), lambda: "\n" + format_report(report))
    return report.exit_code


def _ensure_platform(
    ctx: Context, args: argparse.Namespace, stack: ExitStack, options: DemoOptions
) -> None:
    url = ctx.apis.settings.job.url
    if answers(url):
        return
    if args.no_start or not is_local(url):
        raise CliError(
            f"nothing answers at {url}: start the platform (`make run`) or give --job-url",
            UNREACHABLE,
        )
    ctx.tell(
        f"nothing answers at {url}: starting the platform with `python -m local_runtime` "
        f"(log: {LOG_FILE}); the demo stops it when it ends"
    )
    platform = LocalPlatform(lambda: answers(url) and _profiles_ready(ctx, options))
    stack.callback(_stop, ctx, platform)
    platform.start()
    ctx.tell("the platform is up")


def _profiles_ready(ctx: Context, options: DemoOptions) -> bool:
    """Whether the job profiles the demo uses exist yet (the runner seeds them after start)."""
    try:
        for profile in options.profiles:
            ctx.apis.jobs.profile(profile)
    except (ApiError, CliError):
        return False
    return True


def _stop(ctx: Context, platform: LocalPlatform) -> None:
    ctx.tell("stopping the platform the demo started")
    platform.stop()
