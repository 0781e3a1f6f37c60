"""`python -m local_runtime.soak [--minutes N] ...`: see the package's docstring."""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local_runtime.emulator import client
from local_runtime.harness.platform import (
    ACME_KEY,
    DEMO_KEY,
    HttpError,
    Platform,
    call,
    rss_mb,
    start_platform,
    submit,
)

PROFILES = ("scoring", "predicting", "training")
PRIORITIES = ("critical", "high", "normal", "low")
TERMINAL = ("succeeded", "failed", "cancelled")


@dataclass
class ProcessMemory:
    """One process's resident memory over the run (MB)."""

    samples: list[tuple[float, float]] = field(default_factory=list)
    """(minutes since the start, MB)."""
    restarts: int = 0

    def after(self, warmup: float) -> list[tuple[float, float]]:
        kept = [s for s in self.samples if s[0] >= warmup]
        return kept if len(kept) >= 2 else self.samples

    def summary(self, warmup: float) -> dict[str, Any]:
        kept = self.after(warmup)
        return {
            "start_mb": round(kept[0][1], 1) if kept else None,
            "end_mb": round(kept[-1][1], 1) if kept else None,
            "peak_mb": round(max(mb for _, mb in self.samples), 1) if self.samples else None,
            "slope_mb_per_min": round(slope(kept), 3),
            "samples": len(self.samples),
            "restarts": self.restarts,
        }


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of y over x (0 for fewer than two points)."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=30.0, help="how long to run (30)")
    parser.add_argument("--jobs-per-minute", type=float, default=3.0, help="light load (3)")
    parser.add_argument("--sample-seconds", type=float, default=60.0, help="RSS every (60)")
    parser.add_argument(
        "--warmup-minutes", type=float, default=3.0, help="left out of the slope (3)"
    )
    parser.add_argument(
        "--max-slope",
        type=float,
        default=1.0,
        help="MB/min a service process may grow by before the soak fails (1.0)",
    )
    parser.add_argument(
        "--max-runner-slope",
        type=float,
        default=6.0,
        help="MB/min the runner (the emulator, which holds every stored event) may grow by (6.0)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path(".run/soak"))
    args = parser.parse_args(argv)
    if args.minutes <= 0 or args.sample_seconds <= 0 or args.jobs_per_minute < 0:
        parser.error("--minutes and --sample-seconds must be positive, --jobs-per-minute >= 0")
    return args


class Load:
    """A few short jobs a minute, across profiles, tenants and priorities, on a thread."""

    def __init__(self, platform: Platform, per_minute: float, seed: int) -> None:
        self.platform, self.per_minute = platform, per_minute
        self.random = random.Random(seed)
        self.submitted: dict[str, str] = {}
        self.refused = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="soak-load", daemon=True)

    def _run(self) -> None:
        if self.per_minute <= 0:
            return
        index = 0
        while not self.stop.wait(60.0 / self.per_minute):
            index += 1
            key = self.random.choice((DEMO_KEY, ACME_KEY))
            profile = self.random.choice(PROFILES)
            priority = self.random.choice(PRIORITIES[1:] if profile == "training" else PRIORITIES)
            try:
                job = submit(
                    self.platform,
                    key,
                    profile,
                    priority,
                    self.random.uniform(1, 4),
                    f"soak {index}",
                )
            except (HttpError, OSError):
                self.refused += 1
                continue
            self.submitted[job] = key

    def outcomes(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for job, key in list(self.submitted.items()):
            try:
                status = str(call("GET", f"{self.platform.url('job')}/jobs/{job}", key)["status"])
            except (HttpError, OSError):
                status = "unreadable"
            counts[status] = counts.get(status, 0) + 1
        return counts


def stored_items(platform: Platform) -> int:
    """Items in the services' event-store tables now (what the emulator holds as data)."""
    dynamodb = client("dynamodb", platform.emulator_url)
    total = 0
    for table in dynamodb.list_tables()["TableNames"]:
        request: dict[str, Any] = {"TableName": table, "Select": "COUNT"}
        while True:
            page = dynamodb.scan(**request)
            total += int(page["Count"])
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return total


def sample(platform: Platform, memory: dict[str, ProcessMemory], minute: float) -> None:
    pids = platform.pids()
    for name, pid in pids.items():
        mb = rss_mb(pid)
        record = memory.setdefault(name, ProcessMemory())
        if mb is not None:
            record.samples.append((round(minute, 2), round(mb, 1)))
    for name, service in platform.state()["services"].items():
        memory.setdefault(name, ProcessMemory()).restarts = int(service.get("restarts", 0))


def main(argv: list[str]) -> int:
    args = parse(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    platform = start_platform(args.out / "logs")
    memory: dict[str, ProcessMemory] = {}
    items: list[tuple[float, float]] = []
    load = Load(platform, args.jobs_per_minute, args.seed)
    began = time.monotonic()
    try:
        load.thread.start()
        while True:
            minute = (time.monotonic() - began) / 60
            sample(platform, memory, minute)
            items.append((round(minute, 2), float(stored_items(platform))))
            print(_line(memory, minute) + f", {items[-1][1]:.0f} items stored", flush=True)
            if minute >= args.minutes:
                break
            time.sleep(min(args.sample_seconds, max(1.0, (args.minutes - minute) * 60)))
        load.stop.set()
        load.thread.join(timeout=30)
        outcomes = load.outcomes()
    finally:
        code = platform.stop()
    report = _report(args, memory, items, load, outcomes, code)
    (args.out / "report.json").write_text(json.dumps(report, indent=2))
    print(json.dumps({k: v for k, v in report.items() if k != "settings"}, indent=2))
    return 0 if report["ok"] else 1


def _report(
    args: argparse.Namespace,
    memory: dict[str, ProcessMemory],
    items: list[tuple[float, float]],
    load: Load,
    outcomes: dict[str, int],
    runner_exit: int,
) -> dict[str, Any]:
    processes = {name: m.summary(args.warmup_minutes) for name, m in memory.items()}
    limits = {
        name: args.max_runner_slope if name == "runner" else args.max_slope for name in processes
    }
    growing = [n for n, p in processes.items() if p["slope_mb_per_min"] > limits[n]]
    kept = [point for point in items if point[0] >= args.warmup_minutes] or items
    items_per_min = slope(kept)
    runner_slope = processes.get("runner", {}).get("slope_mb_per_min", 0.0)
    died = [n for n, p in processes.items() if p["restarts"]]
    return {
        "ok": not growing and not died and runner_exit == 0,
        "minutes": args.minutes,
        "max_slope_mb_per_min": limits,
        "stored_items": {
            "start": int(kept[0][1]) if kept else 0,
            "end": int(kept[-1][1]) if kept else 0,
            "per_min": round(items_per_min, 1),
            "runner_kb_per_item": round(1024 * runner_slope / items_per_min, 2)
            if items_per_min > 0
            else None,
        },
        "growing": growing,
        "restarted": died,
        "runner_exit": runner_exit,
        "processes": processes,
        "jobs": {"submitted": len(load.submitted), "refused": load.refused, **outcomes},
        "samples": {name: m.samples for name, m in memory.items()},
        "settings": {**vars(args), "out": str(args.out)},
    }


def _line(memory: dict[str, ProcessMemory], minute: float) -> str:
    parts = [f"{n} {m.samples[-1][1]:.0f} MB" for n, m in memory.items() if m.samples]
    return f"soak {minute:5.1f} min: " + ", ".join(parts)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
