"""Audit replay and metrics queries with 100,000 events in the log, in process (not tests).

`replay_benchmark` times rebuilding every read model from the audit log (reading and decoding
each stored event, then the audit index, job, cluster, SLA and health models), on the in-memory
store or, given an `env` naming a DynamoDB table, on DynamoDB;
`metrics_query_benchmark` times one metrics report on a live board that holds the same log.
The log is the generated platform (bench/monitor_scenario.py), about 8 events a job.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bench.monitor_events import at
from bench.monitor_scenario import generate
from monitor_service.adapters import load_price_book
from monitor_service.application import MonitorApplication, audit_record
from monitor_service.bootstrap import build_application
from monitor_service.domain import AuditEntry, MonitorPolicy

MEMORY_STORE = "backbone.eventstore.memory"
BATCH = 500
DYNAMODB_BATCH = 40
"""Entries per save on DynamoDB: one transaction holds at most 100 items (two per entry)."""
QUERIES = 20


def _filled(
    events: int, env: Mapping[str, str] | None = None
) -> tuple[MonitorApplication, datetime]:
    """A monitor whose log holds `events` audit entries, recorded 0.5 s after each happened, on
    the store `env` names (default: the in-memory store)."""
    stream = generate(jobs=events // 6 + 1, seed=1, interval=40.0)[:events]
    app = build_application(
        dict(env or {"PERSISTENCE_MODULE": MEMORY_STORE}),
        policy=MonitorPolicy(prices=load_price_book()),
    )
    batch = BATCH if env is None else DYNAMODB_BATCH
    for begin in range(0, len(stream), batch):
        entries = [_entry(seconds, event) for seconds, event in stream[begin : begin + batch]]
        app.store.save(*entries)
    return app, at(stream[-1][0] + 1)


def _entry(seconds: float, event: Any) -> AuditEntry:
    if isinstance(event, dict):
        from backbone.messaging.consumer import AwsEvent
        from events.schemas import EventBridgeEnvelope, parse_aws_detail

        envelope = EventBridgeEnvelope.model_validate(event)
        event = AwsEvent(event_id=envelope.id, envelope=envelope, detail=parse_aws_detail(envelope))
    return AuditEntry.record(audit_record(event, at(seconds + 0.5)))


def replay_benchmark(events: int = 100_000, env: Mapping[str, str] | None = None) -> float:
    """Audit log entries replayed into every read model per second (store: see `_filled`)."""
    app, _ = _filled(events, env)
    began = time.perf_counter()
    board = app.replay()
    elapsed = time.perf_counter() - began
    assert len(board.audit) == events
    return events / elapsed


def metrics_query_benchmark(events: int = 100_000) -> float:
    """Milliseconds per metrics report with `events` events in the log (live board, warm)."""
    app, end = _filled(events)
    app.current_board()
    began = time.perf_counter()
    for _ in range(QUERIES):
        app.metrics(end)
    return (time.perf_counter() - began) * 1000 / QUERIES


if __name__ == "__main__":
    print(f"{replay_benchmark():,.0f} audit events/s replayed into the read models")
    print(f"{metrics_query_benchmark():,.1f} ms per metrics query with 100,000 events in the log")
