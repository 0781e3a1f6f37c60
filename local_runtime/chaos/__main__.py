"""`python -m local_runtime.chaos [--jobs N] [--kills N] [--seed N] ...` (`make chaos`)."""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from local_runtime.chaos import delivery
from local_runtime.chaos.audit import TERMINAL, WAITING, audit, statuses
from local_runtime.chaos.aws import Aws
from local_runtime.chaos.faults import Faults, plan
from local_runtime.chaos.throttle import PREFIX
from local_runtime.chaos.workload import Workload
from local_runtime.harness.platform import SERVICES, Platform, call, start_platform

MUST_BE_ZERO = ("lost", "double_steps", "foreign_steps", "leaked_stacks", "pools_out_of_bounds")
MONITOR_TICK = 2
"""The monitor's Tick in a chaos run: a service unheard of for three ticks is unhealthy."""


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make chaos", description=__doc__)
    add = parser.add_argument
    add("--jobs", type=int, default=300, help="jobs to submit (300)")
    add("--kills", type=int, default=20, help="service processes to SIGKILL (20)")
    add("--per-kind", type=int, default=0, help="each AWS fault this often (0: kills/5, >= 1)")
    add("--seed", type=int, default=7, help="repeats a run's choices (7)")
    add("--rate", type=float, default=1.5, help="jobs submitted per second (1.5)")
    add("--cancel", type=float, default=0.05, help="share of jobs cancelled (0.05)")
    add("--throttle", type=float, default=0.03, help="share of AWS calls throttled (0.03)")
    add("--duplicate", type=float, default=0.05, help="share of deliveries duplicated (0.05)")
    add("--delay", type=float, default=0.03, help="share of deliveries delayed (0.03)")
    add("--reorder", type=float, default=0.3, help="share of batches reordered (0.3)")
    add("--settle-minutes", type=float, default=10.0, help="longest wait for the end (10)")
    add("--out", type=Path, default=Path(".run/chaos"))
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.kills < 0 or args.rate <= 0:
        parser.error("--jobs must be at least 1, --kills at least 0, --rate positive")
    for share in ("cancel", "throttle", "duplicate", "delay", "reorder"):
        if not 0 <= getattr(args, share) <= 1:
            parser.error(f"--{share} is a share from 0 to 1")
    return args


def platform_settings(args: argparse.Namespace, stop_file: Path) -> dict[str, str]:
    """Fast everything: ticks, restarts, redelivery, reconciliation, pools that move."""
    return {
        "CHAOS_DELIVERY": f"duplicate={args.duplicate},delay={args.delay},"
        f"reorder={args.reorder},seed={args.seed}",
        "CHAOS_STOP_FILE": str(stop_file),
        "RESTART_BACKOFF_SECONDS": "0.5",
        "RESTART_BACKOFF_MAX_SECONDS": "3",
        "QUEUE_VISIBILITY_SECONDS": "20",
        "QUEUE_WAIT_SECONDS": "1",
        "RECONCILE_AFTER_SECONDS": "10",
        "POOL_MINIMUM": "1",
        "POOL_MAXIMUM": "3",
        "POOL_IDLE_TTL_SECONDS": "15",
        "JOB_TICK_SECONDS": "1",
        "CLUSTER_TICK_SECONDS": "2",
        "MONITOR_TICK_SECONDS": str(MONITOR_TICK),
        "POLL_INTERVAL_SECONDS": "0.5",
    }


def main(argv: list[str]) -> int:
    args = parse(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    stop_file = args.out / "faults-stopped"
    stop_file.unlink(missing_ok=True)
    shutil.rmtree(args.out / "logs", ignore_errors=True)  # the delivery counts come from the logs
    rng = random.Random(args.seed)
    began = time.monotonic()
    platform = start_platform(args.out / "logs", platform_settings(args, stop_file))
    try:
        report = _run(platform, args, rng, stop_file)
    finally:
        runner_exit = platform.stop()
    report["runner_exit"] = runner_exit
    report["minutes"] = round((time.monotonic() - began) / 60, 1)
    (args.out / "report.json").write_text(json.dumps(report, indent=2))
    print(table(report))
    print(f"report: {args.out / 'report.json'}")
    return 0 if report["ok"] else 1


def _run(
    platform: Platform, args: argparse.Namespace, rng: random.Random, stop_file: Path
) -> dict[str, Any]:
    aws = Aws(platform.emulator_url)
    throttle_url = platform.emulator_url + PREFIX + "throttle"
    call("POST", throttle_url, "", {"rate": args.throttle, "seed": args.seed})
    workload = Workload(platform, args.jobs, args.rate, args.cancel, random.Random(rng.random()))
    window = args.jobs / args.rate
    per_kind = args.per_kind or max(1, args.kills // 5)
    faults = Faults(platform, aws, random.Random(rng.random()), 3.5 * MONITOR_TICK + 2)
    planned = plan(args.kills, per_kind, window, random.Random(rng.random()))
    stop = threading.Event()
    threads = [
        threading.Thread(target=workload.run, args=(stop,), name="workload", daemon=True),
        threading.Thread(
            target=faults.run, args=(planned, window, stop), name="faults", daemon=True
        ),
    ]
    for thread in threads:
        thread.start()
    _progress(platform, workload, faults, threads)
    call("POST", throttle_url, "", {"rate": 0})
    stop_file.touch()  # the consumers deliver normally from now on
    settled = _settle(platform, workload, args.settle_minutes * 60)
    throttled = call("GET", platform.emulator_url + PREFIX + "stats", "")["throttled"]
    time.sleep(3)  # the last chaos lines reach the logs
    delivered = _delivery_counts(platform)
    result = audit(platform, aws, workload.accepted)
    kinds = {"service_killed": sum(faults.killed.values()), **faults.done, **throttled}
    kinds.pop("kill", None)
    kinds["delivery_duplicated"] = delivered["duplicated"]
    kinds["delivery_delayed"] = delivered["delayed"]
    kinds["batch_reordered"] = delivered["reordered"]
    report: dict[str, Any] = {
        "jobs": args.jobs,
        "kills": sum(faults.killed.values()),
        "faults": kinds,
        "duplicated": delivered["duplicated"],
        "reordered": delivered["reordered"] + delivered["delayed"],
        "accepted": result.accepted,
        "ended": result.ended,
        "lost": len(result.lost),
        "double_steps": len(result.double_steps),
        "foreign_steps": len(result.foreign_steps),
        "leaked_stacks": len(result.leaked_stacks),
        "pools_out_of_bounds": len(result.pools_out_of_bounds),
        "queued": result.queued,
        "outcomes": result.outcomes,
        "refused": len(workload.refused),
        "refused_answers": workload.refused[:10],
        "resubmissions": workload.resubmissions,
        "cancel_requested": len(workload.cancel_requested),
        "killed": dict(faults.killed),
        "missed_faults": dict(faults.missed),
        "settled": settled,
        "details": {k: v for k, v in asdict(result).items() if isinstance(v, list) and v},
        "seed": args.seed,
    }
    report["ok"] = all(report[k] == 0 for k in MUST_BE_ZERO) and result.accepted > 0
    return report


def _progress(
    platform: Platform, workload: Workload, faults: Faults, threads: list[threading.Thread]
) -> None:
    """Wait for the workload and the faults, printing a line every 15 s."""
    while any(thread.is_alive() for thread in threads):
        for thread in threads:
            thread.join(timeout=15 / len(threads))
        print(
            f"chaos: {len(workload.accepted)} accepted, {sum(faults.killed.values())} kills, "
            f"faults {dict(faults.done)}",
            flush=True,
        )


def _settle(platform: Platform, workload: Workload, timeout: float) -> bool:
    """Wait until every accepted job has ended (or the timeout); whether they all did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status = statuses(platform, workload.accepted)
        except OSError:
            time.sleep(2)
            continue
        open_jobs = [s for s in status.values() if s not in TERMINAL]
        waiting = sum(1 for s in open_jobs if s in WAITING)
        print(f"chaos: settling, {len(open_jobs)} not ended ({waiting} waiting)", flush=True)
        if not open_jobs:
            time.sleep(20)  # idle pools shrink back once their jobs have ended
            return True
        time.sleep(5)
    return False


def _delivery_counts(platform: Platform) -> dict[str, int]:
    totals = {"duplicated": 0, "delayed": 0, "reordered": 0}
    for name in SERVICES:
        path = platform.log_dir / f"{name}.log"
        if path.exists():
            for key, value in delivery.counts(path.read_text(errors="replace")).items():
                totals[key] += value
    return totals


def table(report: dict[str, Any]) -> str:
    """The report as one table."""
    rows = [
        ("jobs submitted", report["jobs"], ""),
        ("accepted", report["accepted"], ""),
        ("ended", report["ended"], str(report["outcomes"])),
        ("queued", report["queued"], ""),
        ("service processes killed", report["kills"], str(report["killed"])),
        *((f"fault: {k}", v, "") for k, v in sorted(report["faults"].items())),
        ("deliveries duplicated", report["duplicated"], ""),
        ("deliveries reordered", report["reordered"], ""),
        *((k.replace("_", " "), report[k], "must be 0") for k in MUST_BE_ZERO),
    ]
    width = max(len(str(r[0])) for r in rows)
    lines = [f"{name!s:<{width}}  {value!s:>6}  {note}".rstrip() for name, value, note in rows]
    verdict = "OK" if report["ok"] else "FAILED"
    return "\n".join([*lines, f"{'verdict':<{width}}  {verdict:>6}"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
