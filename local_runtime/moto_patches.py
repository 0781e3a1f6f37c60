"""Fixes for emulator faults that would otherwise dominate every local figure.

moto 5.2.5's TransactWriteItems backs up a table for rollback by deep-copying it once per
item in the transaction: a 99-item save into a table of 3,000 items copies 300,000 items
(seconds, and gigabytes of garbage). The backup is only needed once per table per call, so
while a transaction runs, deep copies of the same object are made once and reused.
"""

from __future__ import annotations

import contextvars
import copy
import functools
import types
from typing import Any

_memo: contextvars.ContextVar[dict[int, Any] | None] = contextvars.ContextVar(
    "transaction_backups", default=None
)
_applied = False


def _deepcopy_once_per_transaction(obj: Any, memo: dict[int, Any] | None = None) -> Any:
    backups = _memo.get()
    if backups is None or memo is not None:
        return copy.deepcopy(obj, memo)
    if id(obj) not in backups:
        backups[id(obj)] = copy.deepcopy(obj)
    return backups[id(obj)]


def apply() -> None:
    """Patch moto's DynamoDB backend in this process; calling it again does nothing."""
    global _applied
    if _applied:
        return
    from moto.dynamodb import models

    original = models.DynamoDBBackend.transact_write_items

    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        token = _memo.set({})
        try:
            original(self, transact_items)
        finally:
            _memo.reset(token)

    proxy = types.SimpleNamespace(**{k: getattr(copy, k) for k in ("copy", "Error")})
    proxy.deepcopy = _deepcopy_once_per_transaction
    models.copy = proxy  # type: ignore[attr-defined]
    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    _applied = True
