"""Two fixes for moto 5.2.5's DynamoDB: transaction backups, and the cost of a Query.

**Transaction backups.** A fix for how moto backs up tables for a TransactWriteItems rollback.

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

**Query cost.** moto answers a Query on a table's own key by listing and sorting EVERY item of
the table, then keeping those of the partition: O(table) per Query, so the emulator slowed with
each event stored (two thirds of its time went there with 60 jobs in flight). Here a Query on
the table's key lists only the items of its partition (moto sorts them by the range key
afterwards, as before); a Query on an index is left as it was.
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
_partition: contextvars.ContextVar[tuple[Any, Any] | None] = contextvars.ContextVar(
    "partition", default=None
)
"""(table, hash key) while moto answers a Query on that table's own key."""
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


def _patch_query() -> None:
    """Scope `Table.all_items` to the queried partition during a Query on the table's key."""
    from moto.dynamodb.models.table import Table

    original_query = Table.query
    original_all_items = Table.all_items

    @functools.wraps(original_query)
    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        scoped = hash_key is not None and not index_name and self.range_key_attr is not None
        token = _partition.set((self, hash_key) if scoped else None)
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _partition.reset(token)

    @functools.wraps(original_all_items)
    def all_items(self: Any) -> list[Any]:
        scope = _partition.get()
        if scope is None or scope[0] is not self:
            return original_all_items(self)
        partition = self.items.get(scope[1])  # get: never add a key to the defaultdict
        return [] if not partition else list(partition.values())

    Table.query = query  # type: ignore[method-assign]
    Table.all_items = all_items  # type: ignore[method-assign]


def apply() -> None:
    """Patch moto's DynamoDB backend in this process; calling it again does nothing."""
    global _applied
    if _applied:
        return
    from moto.dynamodb import models

    _patch_query()

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
