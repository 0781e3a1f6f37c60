"""Event-store figures: the in-memory store and the DynamoDB recorder on moto, side by side."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import uuid4

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from backbone.eventstore import items
from bench.report import Report
from local_runtime.emulator import Emulator

SAVES = 300
LOADS = 300


class Account(Aggregate):
    def __init__(self) -> None:
        self.balance = 0

    @event("Credited")
    def credit(self, amount: int) -> None:
        self.balance += amount


class Accounts(Application[Any]):
    pass


def run(report: Report, emulator: Emulator) -> None:
    """Appends and loads per second, requests per save and load, and loads of long histories."""
    stores = {"in-memory": _popo_env(), "dynamodb-on-moto": _dynamodb_env(emulator)}
    for label, env in stores.items():
        app = Accounts(env=env)
        meter = getattr(app.factory, "meter", None)
        accounts = _appends(report, label, app, meter)
        _loads(report, label, app, accounts, meter)
    for label, env in stores.items():
        for length in (1_000, 10_000):
            _long_history(report, label, env, length)


def _popo_env() -> dict[str, str]:
    return {"PERSISTENCE_MODULE": "eventsourcing.popo"}


def _dynamodb_env(emulator: Emulator) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "backbone.eventstore",
        "DYNAMODB_TABLE": f"bench-{uuid4().hex[:8]}",
        "DYNAMODB_ENDPOINT_URL": emulator.endpoint_url,
        "CREATE_TABLE": "y",
    }


def _appends(report: Report, label: str, app: Accounts, meter: Any) -> list[Account]:
    accounts = [Account() for _ in range(10)]
    app.save(*accounts)
    _reset(meter)
    with _timed() as elapsed:
        for i in range(SAVES):
            account = accounts[i % len(accounts)]
            account.credit(amount=1)
            app.save(account)
    report.add("event store", f"events appended per second [{label}]", SAVES / elapsed())
    if meter is not None:
        report.add("event store", f"DynamoDB requests per save [{label}]", meter.total() / SAVES)
    return accounts


def _loads(report: Report, label: str, app: Accounts, accounts: list[Account], meter: Any) -> None:
    _reset(meter)
    with _timed() as elapsed:
        for i in range(LOADS):
            app.repository.get(accounts[i % len(accounts)].id)
    report.add("event store", f"aggregate loads per second [{label}]", LOADS / elapsed())
    if meter is not None:
        report.add("event store", f"DynamoDB requests per load [{label}]", meter.total() / LOADS)


def _long_history(report: Report, label: str, env: dict[str, str], length: int) -> None:
    app = Accounts(env={**env, "IS_SNAPSHOTTING_ENABLED": "y"})
    account_id = _seed(app, length)
    for kind in ("no snapshot", "snapshot"):
        if kind == "snapshot":
            app.take_snapshot(account_id)
        meter = getattr(app.factory, "meter", None)
        _reset(meter)
        load_ms = _best_of(3, lambda: app.repository.get(account_id)) * 1000
        report.add("event store", f"load {length:,} events, {kind} (ms) [{label}]", load_ms)
        if meter is not None:
            items_read = meter.items_read / 3
            report.add("event store", f"items read per load, {length:,} events, {kind}", items_read)


def _seed(app: Accounts, length: int) -> Any:
    """An account with `length` events, written in bulk (the figure measured is the load)."""
    account = Account()
    for _ in range(length - 1):
        account.credit(amount=1)
    stored = [app.mapper.to_stored_event(e) for e in account.collect_events()]
    recorder_client = getattr(app.recorder, "client", None)
    if recorder_client is None:
        for start in range(0, len(stored), 500):
            app.recorder.insert_events(stored[start : start + 500])
        return account.id
    table = app.recorder.table_name  # type: ignore[attr-defined]
    for start in range(0, len(stored), 25):
        writes = [
            {"PutRequest": {"Item": items.aggregate_item("events", e, None)}}
            for e in stored[start : start + 25]
        ]
        recorder_client.batch_write_item(RequestItems={table: writes})
    return account.id


def _best_of(times: int, action: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


@contextmanager
def _timed() -> Iterator[Callable[[], float]]:
    started = time.perf_counter()
    ended: list[float] = []
    yield lambda: (ended[0] if ended else time.perf_counter()) - started
    ended.append(time.perf_counter())


def _reset(meter: Any) -> None:
    if meter is not None:
        meter.reset()
