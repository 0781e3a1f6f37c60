"""A fix for how moto 5.2.5 backs up tables for a TransactWriteItems rollback.

moto deep-copies each target table once per item of the transaction, and on a cancellation
puts the copy in the table's place. Two faults follow:

- cost: a 99-item save into a table of 3,000 items copied 300,000 items, and the copy includes
  every stream record the table ever had (seconds per save, gigabytes of garbage);
- streams: the restored copy brings a new stream shard object, so a reader holding a shard
  iterator never sees another record of that table after any cancelled transaction.

Here the backup is made once per table per transaction and is cheap and faithful: the item maps
are copied (the items themselves are replaced, not changed, by a Put), the partitions an
Update, Delete or ConditionCheck targets are deep-copied (an Update changes items in place), and
the stream shard stays the same object, cut back to its length before the transaction.
"""

from __future__ import annotations

import contextvars
import copy
import functools
import types
from collections import defaultdict
from typing import Any

_transaction: contextvars.ContextVar[_Backups | None] = contextvars.ContextVar(
    "transaction", default=None
)
_applied = False


class _Backups:
    def __init__(self, transact_items: list[dict[str, Any]]) -> None:
        self.transact_items = transact_items
        self.tables: dict[int, tuple[Any, Any, int]] = {}  # id(table) -> (table, backup, stream)

    def backup(self, table: Any) -> Any:
        if id(table) not in self.tables:
            shard = table.stream_shard
            stream_length = len(shard.items) if shard is not None else 0
            self.tables[id(table)] = (table, self._copy(table), stream_length)
        return self.tables[id(table)][1]

    def _copy(self, table: Any) -> Any:
        from moto.dynamodb.models.dynamo_type import DynamoType

        clone = copy.copy(table)
        clone.items = defaultdict(dict)
        for hash_key, partition in table.items.items():
            clone.items[hash_key] = dict(partition) if isinstance(partition, dict) else partition
        for operation in self.transact_items:
            kind, request = next(iter(operation.items()))
            if kind == "Put" or request.get("TableName") != table.name:
                continue
            hash_key = DynamoType(request["Key"][table.hash_key_attr])
            if hash_key in table.items:
                clone.items[hash_key] = copy.deepcopy(table.items[hash_key])
        return clone

    def cut_streams_back(self, tables: dict[str, Any]) -> None:
        """After moto restored a backup, drop the stream records the cancelled writes added."""
        for _, backup, stream_length in self.tables.values():
            shard: Any = backup.stream_shard
            if shard is not None and tables.get(backup.name) is backup:
                del shard.items[stream_length:]


def _deepcopy(obj: Any, memo: dict[int, Any] | None = None) -> Any:
    from moto.dynamodb.models.table import Table

    backups = _transaction.get()
    if backups is not None and memo is None and isinstance(obj, Table):
        return backups.backup(obj)
    return copy.deepcopy(obj, memo)


def apply() -> None:
    """Patch moto's DynamoDB backend in this process; calling it again does nothing."""
    global _applied
    if _applied:
        return
    from moto.dynamodb import models

    original = models.DynamoDBBackend.transact_write_items

    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        backups = _Backups(transact_items)
        token = _transaction.set(backups)
        try:
            original(self, transact_items)
        except Exception:
            backups.cut_streams_back(self.tables)
            raise
        finally:
            _transaction.reset(token)

    proxy = types.SimpleNamespace(copy=copy.copy, Error=copy.Error, deepcopy=_deepcopy)
    models.copy = proxy  # type: ignore[attr-defined,assignment]
    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    _applied = True
