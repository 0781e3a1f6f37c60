"""Fixes for moto 5.2.5 in server mode: transaction backups, the cost of a Query, and two leaks.

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

**Every model ever made stays in memory.** moto's `BaseModel.__new__` appends each instance of
every model class to that class's `instances_tracked` list, for its dashboard and its reset, and
nothing ever removes one. A long-running emulator therefore keeps every SQS message ever sent,
every stream record and shard iterator, and (worst) the table copy made as each transaction's
rollback backup, which pins the table's whole partition map: an idle `make run` grew by about
8 MB a minute, faster the more its tables held. Here the tracker holds weak references: what
moto still uses stays reachable as before, what it dropped is freed, and the dashboard and the
reset still see every live instance.

**Shard iterators are never forgotten.** moto stores each shard iterator it hands out (every
GetRecords makes the next one) in a dict for ever. DynamoDB Streams' iterators expire after 15
minutes; here they do too: the expired ones are dropped, and a GetRecords with one is answered
ExpiredIteratorException, as AWS answers (the relay then asks for a new one from its position).

**Stream records are kept for ever.** A table's stream holds a copy of every item ever written.
DynamoDB Streams keeps 24 hours; this emulator, which holds everything in memory, keeps
`STREAM_RETENTION_SECONDS` (EMULATOR_STREAM_RETENTION_SECONDS, 15 minutes by default: the relays
read each record within seconds). Older records are dropped from the front, sequence numbers go on
unchanged, and an iterator behind the oldest record kept reads from it (TRIM_HORIZON).
"""

from __future__ import annotations

import contextvars
import copy
import functools
import os
import time
import types
import weakref
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

SHARD_ITERATOR_SECONDS = 15 * 60.0
"""How long a shard iterator stays valid (DynamoDB Streams: 15 minutes)."""
STREAM_RETENTION_SECONDS = float(os.environ.get("EMULATOR_STREAM_RETENTION_SECONDS") or 15 * 60)
"""How long a stream record is kept (see the module docstring)."""

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


class WeakInstances:
    """One model class's `instances_tracked`, holding weak references: it never keeps a model
    alive. Dead references are swept whenever the list has doubled since the last sweep."""

    def __init__(self, existing: Iterable[Any] = ()) -> None:
        self._refs: list[weakref.ref[Any]] = []
        self._sweep_at = 64
        for instance in existing:
            self.append(instance)

    def append(self, instance: Any) -> None:
        try:
            self._refs.append(weakref.ref(instance))
        except TypeError:  # a class without weak references: nothing of moto's reads it back
            return
        if len(self._refs) >= self._sweep_at:
            self._refs = [ref for ref in self._refs if ref() is not None]
            self._sweep_at = max(64, 2 * len(self._refs))

    def __iter__(self) -> Iterator[Any]:
        for ref in list(self._refs):
            instance = ref()
            if instance is not None:
                yield instance

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _patch_instance_tracking() -> None:
    """moto's BaseModel tracks its instances weakly (see WeakInstances)."""
    from moto.core.common_models import BaseModel

    def tracked_new(cls: Any, *args: Any, **kwargs: Any) -> Any:
        instance = super(BaseModel, cls).__new__(cls)
        tracked = cls.__dict__.get("instances_tracked")
        if not isinstance(tracked, WeakInstances):  # first use, or moto's reset put a list back
            tracked = WeakInstances(tracked or ())
            cls.instances_tracked = tracked
        tracked.append(instance)
        return instance

    BaseModel.__new__ = staticmethod(tracked_new)  # type: ignore[method-assign]


class ExpiringIterators(OrderedDict[str, Any]):
    """moto's shard iterators by ARN, each dropped SHARD_ITERATOR_SECONDS after it was made."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._clock = clock
        self._made: OrderedDict[str, float] = OrderedDict()

    def __setitem__(self, arn: str, iterator: Any) -> None:
        now = self._clock()
        while self._made:
            oldest, made = next(iter(self._made.items()))
            if now - made < SHARD_ITERATOR_SECONDS:
                break
            del self._made[oldest]
            super().pop(oldest, None)
        self._made[arn] = now
        self._made.move_to_end(arn)
        super().__setitem__(arn, iterator)


def _patch_shard_iterators() -> None:
    """Shard iterators expire as on AWS (see ExpiringIterators)."""
    from moto.core.exceptions import JsonRESTError
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    original_init = DynamoDBStreamsBackend.__init__
    original_get_records = DynamoDBStreamsBackend.get_records

    @functools.wraps(original_init)
    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.shard_iterators = ExpiringIterators()

    @functools.wraps(original_get_records)
    def get_records(self: Any, iterator_arn: str, limit: int) -> Any:
        if iterator_arn not in self.shard_iterators:
            raise JsonRESTError(
                "ExpiredIteratorException", "The shard iterator has expired or is unknown."
            )
        return original_get_records(self, iterator_arn, limit)

    DynamoDBStreamsBackend.__init__ = init  # type: ignore[method-assign]
    DynamoDBStreamsBackend.get_records = get_records  # type: ignore[method-assign]


def _patch_stream_retention(clock: Callable[[], float] = time.monotonic) -> None:
    """Stream records older than STREAM_RETENTION_SECONDS are dropped (never mid-transaction,
    whose rollback cuts the stream back by position)."""
    from moto.dynamodb.models.table import StreamShard

    original_add = StreamShard.add
    original_get = StreamShard.get

    @functools.wraps(original_add)
    def add(self: Any, old: Any, new: Any) -> None:
        original_add(self, old, new)
        stamps: deque[float] = self.__dict__.setdefault("_stamps", deque())
        stamps.append(clock())
        if _transaction.get() is None:
            trim_stream(self, clock() - STREAM_RETENTION_SECONDS)

    @functools.wraps(original_get)
    def get(self: Any, start: int, quantity: int) -> Any:
        return original_get(self, max(start, self.starting_sequence_number), quantity)

    StreamShard.add = add  # type: ignore[method-assign]
    StreamShard.get = get  # type: ignore[method-assign]


def trim_stream(shard: Any, older_than: float) -> int:
    """Drop a shard's records stamped before `older_than`; how many were dropped."""
    stamps: deque[float] = shard.__dict__.setdefault("_stamps", deque())
    while len(stamps) > len(shard.items):  # records a rolled-back transaction added, cut since
        stamps.pop()
    dropped = 0
    while len(stamps) > 0 and stamps[0] < older_than and dropped < len(shard.items):
        stamps.popleft()
        dropped += 1
    if dropped:
        del shard.items[:dropped]
        shard.starting_sequence_number += dropped
    return dropped


def apply() -> None:
    """Patch moto's backends in this process; calling it again does nothing."""
    global _applied
    if _applied:
        return
    from moto.dynamodb import models

    _patch_instance_tracking()
    _patch_shard_iterators()
    _patch_stream_retention()
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
