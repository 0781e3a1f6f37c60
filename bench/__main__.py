"""`make bench`: every figure measured side by side in one run, on this machine."""

from __future__ import annotations

import logging
import os
import platform
from uuid import uuid4

from bench import (
    acceptance,
    board_checkpoint,
    cluster_lifecycle,
    eventstore,
    messaging,
    write_path,
)
from bench import simulator as simulator_bench
from bench.dispatch import dispatch_benchmark
from bench.monitor import metrics_query_benchmark, replay_benchmark
from bench.pool import pool_benchmark
from bench.report import Report
from local_runtime.emulator import Emulator


def main() -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        os.environ.setdefault(name, value)
    logging.basicConfig(level=logging.WARNING)
    print(
        f"bench on {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores; moto timings are the emulator's, not DynamoDB's"
    )
    report = Report()
    with Emulator(port=0) as emulator:
        print("\n== event store ==")
        eventstore.run(report, emulator)
        report.ratio(
            "event store",
            "append speed, in-memory / dynamodb-on-moto (x)",
            "events appended per second [in-memory]",
            "events appended per second [dynamodb-on-moto]",
        )
        print("\n== messaging ==")
        messaging.run(report, emulator)
        print("\n== job acceptance ==")
        acceptance.run(report, emulator)
        print("\n== cluster lifecycle ==")
        cluster_lifecycle.run(report, emulator)
        print("\n== write path: transactions per job (counted) and DynamoDB's ceilings (model) ==")
        write_path.run(report, emulator)
        print("\n== monitor service: audit replay, in-memory and on the emulator ==")
        _replay_side_by_side(report, emulator)
    print("\n== job service ==")
    rate = dispatch_benchmark(jobs=100_000, profiles=100)
    report.add("job service", "dispatch decisions per second, 100,000 queued, 100 profiles", rate)
    board_checkpoint.run(report)
    print("\n== cluster service ==")
    rate = pool_benchmark(clusters=1000)
    report.add("cluster service", "pool decisions per second, 1,000 clusters", rate)
    print("\n== monitor service ==")
    rate = replay_benchmark(events=100_000)
    report.add("monitor service", "audit replay, 100,000 events, per second [in-memory]", rate)
    latency = metrics_query_benchmark(events=100_000)
    report.add("monitor service", "metrics query with 100,000 events in the log (ms)", latency)
    print("\n== capacity simulator ==")
    simulator_bench.run(report)


REPLAY_EVENTS = 5_000
"""Events replayed on each store side by side (the emulator writes them first: keep it small)."""


def _replay_side_by_side(report: Report, emulator: Emulator) -> None:
    """The monitor's replay of the same log on the in-memory store and on DynamoDB-on-moto."""
    stores = {
        "in-memory": None,
        "dynamodb-on-moto": {
            "PERSISTENCE_MODULE": "backbone.eventstore",
            "DYNAMODB_TABLE": f"bench-monitor-{uuid4().hex[:8]}",
            "DYNAMODB_ENDPOINT_URL": emulator.endpoint_url,
            "CREATE_TABLE": "y",
        },
    }
    names = {}
    for label, env in stores.items():
        names[label] = f"audit replay, {REPLAY_EVENTS:,} events, per second [{label}]"
        report.add("monitor service", names[label], replay_benchmark(REPLAY_EVENTS, env))
    report.ratio(
        "monitor service",
        "audit replay speed, in-memory / dynamodb-on-moto (x)",
        names["in-memory"],
        names["dynamodb-on-moto"],
    )


if __name__ == "__main__":
    main()
