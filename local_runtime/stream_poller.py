"""The local stand-in for the relay's Lambda: polls the table's DynamoDB stream into the Relay.

Records reach the relay in the same shape, in the same order, as a Lambda would get them. The
position (last relayed SequenceNumber per shard) is recorded in the service's own table only
after the relay's PutEvents succeeded: a crash in between republishes (at least once), never
loses. It is recorded only for pages that held notifications; otherwise each position write,
itself a stream record, would cause the next.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from backbone.messaging.relay import Relay, RelayInterrupted, StreamRecord, is_notification_insert
from local_runtime.positions import DynamoDBPositions, PositionStore

logger = logging.getLogger(__name__)


class StreamNotEnabled(RuntimeError):
    """The event-store table has no DynamoDB stream to relay from."""


class StreamPoller:
    """Feeds a Relay from one table's stream: parents before children, each shard in order."""

    def __init__(
        self,
        relay: Relay,
        dynamodb: Any,
        streams: Any,
        table_name: str,
        *,
        positions: PositionStore | None = None,
        limit: int = 1000,
    ) -> None:
        """`dynamodb` and `streams` are boto3 clients ("dynamodb", "dynamodbstreams")."""
        self._relay = relay
        self._dynamodb = dynamodb
        self._streams = streams
        self.table_name = table_name
        self.positions = positions or DynamoDBPositions(dynamodb, table_name)
        self.limit = limit
        self._stream_arn: str | None = None
        self._iterators: dict[str, str] = {}
        self._closed: set[str] = set()

    def poll_once(self) -> int:
        """Relay what the stream holds now; the number of events published, or the relay's error."""
        return sum(self._drain(shard_id) for shard_id in self._open_shards())

    def run(self, stop_event: threading.Event, interval: float = 0.5) -> None:
        """Poll until stop_event is set; a failed poll is logged and retried from the position."""
        while not stop_event.is_set():
            try:
                self.poll_once()
            except Exception:
                logger.exception("relaying from %s failed; retrying", self.table_name)
                self._forget()
            stop_event.wait(interval)

    def _forget(self) -> None:
        """Drop what is cached (stream, iterators): the next poll starts from the positions."""
        self._stream_arn = None
        self._iterators.clear()
        self._closed.clear()

    def _open_shards(self) -> list[str]:
        """Shards not read to their end whose parent, if still listed, has been."""
        answer = self._streams.describe_stream(StreamArn=self._arn())
        shards = answer["StreamDescription"]["Shards"]
        listed = {shard["ShardId"] for shard in shards}
        return [
            shard["ShardId"]
            for shard in shards
            if shard["ShardId"] not in self._closed
            and (shard.get("ParentShardId") not in listed or shard["ParentShardId"] in self._closed)
        ]

    def _arn(self) -> str:
        if self._stream_arn is None:
            table = self._dynamodb.describe_table(TableName=self.table_name)["Table"]
            if not table.get("LatestStreamArn"):
                raise StreamNotEnabled(f"table {self.table_name!r} has no stream")
            self._stream_arn = str(table["LatestStreamArn"])
        return self._stream_arn

    def _drain(self, shard_id: str) -> int:
        """Read and relay pages of one shard until one comes back empty or the shard ends."""
        relayed = 0
        while shard_id not in self._closed:
            page = self._get_records(shard_id)
            relayed += self._relay_page(shard_id, page["Records"])
            following = page.get("NextShardIterator")
            if following is None:  # a closed shard, read to its end
                self._closed.add(shard_id)
                self._iterators.pop(shard_id, None)
            else:
                self._iterators[shard_id] = following
            if not page["Records"]:
                break
        return relayed

    def _get_records(self, shard_id: str) -> dict[str, Any]:
        if shard_id not in self._iterators:
            self._iterators[shard_id] = self._iterator(shard_id)
        try:
            return dict(self._read(shard_id))
        except self._streams.exceptions.ExpiredIteratorException:
            self._iterators[shard_id] = self._iterator(shard_id)
            return dict(self._read(shard_id))

    def _read(self, shard_id: str) -> Any:
        return self._streams.get_records(ShardIterator=self._iterators[shard_id], Limit=self.limit)

    def _iterator(self, shard_id: str) -> str:
        """An iterator just after the recorded position, or at the oldest record kept."""
        position = self.positions.get(shard_id)
        where: dict[str, str] = {"ShardIteratorType": "TRIM_HORIZON"}
        if position is not None:
            where = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": position}
        answer = self._streams.get_shard_iterator(StreamArn=self._arn(), ShardId=shard_id, **where)
        return str(answer["ShardIterator"])

    def _relay_page(self, shard_id: str, records: Sequence[StreamRecord]) -> int:
        """Relay, then record the position; on failure record what was done and re-read the rest."""
        try:
            relayed = self._relay.relay(records)
        except RelayInterrupted as stopped:
            self._iterators.pop(shard_id, None)
            self._record(shard_id, records[: stopped.index])
            raise (stopped.__cause__ or stopped) from None  # what went wrong, not where
        try:
            self._record(shard_id, records)
        except Exception:
            self._iterators.pop(shard_id, None)
            raise
        return relayed

    def _record(self, shard_id: str, records: Sequence[StreamRecord]) -> None:
        if any(is_notification_insert(record) for record in records):
            self.positions.save(shard_id, str(records[-1]["dynamodb"]["SequenceNumber"]))
