"""`python -m simulator compare|plan`: see docs/simulator.md.

    python -m simulator compare --log FILE [--scenario FILE] [--sla critical=120,...] --json OUT
                                [--report DIR]
    python -m simulator plan --log FILE [--scenario FILE] --sla critical=120,... --json OUT

Bad input (an unreadable log, an unknown field, an impossible SLA) gets one clear line on
stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

from simulator.logfile import LogError
from simulator.scenario import ScenarioError, load_scenario, parse_sla
from simulator.workload import open_log

USAGE_ERROR = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise SystemExit(_fail(message))


def _fail(message: str) -> int:
    print(f"simulator: error: {message}", file=sys.stderr)
    return USAGE_ERROR


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="python -m simulator", description=__doc__.splitlines()[0])
    commands = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    compare = commands.add_parser("compare", help="every policy side by side on one log")
    plan = commands.add_parser("plan", help="the cheapest MIN/MAX/TTL that meets the SLA")
    for command in (compare, plan):
        command.add_argument("--log", required=True, type=Path, help=".swf, .swf.gz or .csv")
        command.add_argument("--scenario", type=Path, help="YAML scenario (default: built in)")
        command.add_argument("--json", required=True, type=Path, help="where to write the JSON")
    compare.add_argument("--sla", help="p95 wait targets, e.g. critical=120,high=900")
    compare.add_argument("--report", type=Path, help="directory for report.html")
    compare.add_argument(
        "--policies",
        help="a comma-separated subset of the policies (default: all of them)",
    )
    compare.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="policies run at once, one process each (default: the CPU count; 1: in turn)",
    )
    plan.add_argument("--sla", required=True, help="p95 wait targets, e.g. critical=120,high=900")
    plan.add_argument("--trials", type=int, default=40, help="optimizer trials (default 40)")
    plan.add_argument(
        "--fit-share", type=float, default=0.5, help="share of the log fitted on (default 0.5)"
    )
    plan.add_argument(
        "--apply",
        metavar="URL",
        help="send the recommended MIN/MAX/TTL to a running cluster API (PUT /pools/{profile})",
    )
    plan.add_argument(
        "--api-key",
        default=os.environ.get("OPERATOR_API_KEY", ""),
        help="operator key for --apply (default: $OPERATOR_API_KEY)",
    )
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        scenario = load_scenario(args.scenario)
        if args.sla:
            scenario = replace(scenario, sla=parse_sla(args.sla))
        overhead = scenario.startup.step_overhead_s
        impossible = {c: t for c, t in scenario.sla.items() if t < overhead}
        if impossible:
            raise ScenarioError(
                f"impossible SLA {impossible}: every step takes {overhead:g} s to start on EMR "
                "(startup.step_overhead_s), so no policy waits less"
            )
        workload = open_log(args.log, scenario.mapping)
        missing = [p for p in workload.profiles if p not in {s.name for s in scenario.profiles}]
        if missing:
            raise ScenarioError(f"the log names cluster profile(s) {missing} the scenario lacks")
        if args.command == "compare":
            return _compare(args, scenario, workload)
        return _plan(args, scenario, workload)
    except (LogError, ScenarioError) as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(f"{getattr(error, 'filename', '') or ''} {error.strerror or error}".strip())
    except KeyboardInterrupt:
        return 130


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")


def _compare(args: argparse.Namespace, scenario: Any, workload: Any) -> int:
    from simulator.compare import POLICIES, compare_json, run_policies
    from simulator.report import table, tenant_table, write_html

    chosen = POLICIES
    if args.policies:
        chosen = tuple(p.strip() for p in args.policies.split(",") if p.strip())
        unknown = [p for p in chosen if p not in POLICIES]
        if unknown or not chosen:
            raise ScenarioError(f"--policies: unknown {unknown}; known: {', '.join(POLICIES)}")
    if args.workers < 1:
        raise ScenarioError("--workers must be at least 1")
    started = time.perf_counter()
    results = run_policies(scenario, workload, policies=chosen, progress=_say, workers=args.workers)
    elapsed = time.perf_counter() - started
    document = compare_json(workload, scenario, results, elapsed)
    print(table(results))
    print()
    print(tenant_table(results))
    print(f"{workload.summary.jobs} jobs, {workload.span_days:.0f} days, {elapsed:.1f} s")
    _write_json(args.json, document)
    if args.report:
        args.report.mkdir(parents=True, exist_ok=True)
        write_html(args.report / "report.html", document, results)
        print(f"report: {args.report / 'report.html'}")
    return 0


def _plan(args: argparse.Namespace, scenario: Any, workload: Any) -> int:
    from simulator.plan import plan

    if not 0.1 <= args.fit_share <= 0.9:
        raise ScenarioError("--fit-share must be between 0.1 and 0.9")
    if args.trials < 1:
        raise ScenarioError("--trials must be at least 1")
    if args.apply and not args.api_key:
        raise ScenarioError("--apply needs --api-key (or OPERATOR_API_KEY)")
    document = plan(scenario, workload, trials=args.trials, fit_share=args.fit_share, say=_say)
    _write_json(args.json, document)
    print(json.dumps(document["recommended"], indent=2))
    if args.apply:
        from simulator.apply import ApplyError, apply_settings

        try:
            for line in apply_settings(args.apply, args.api_key, document["recommended"]):
                print(line)
        except ApplyError as error:
            return _fail(str(error))
    return 0
