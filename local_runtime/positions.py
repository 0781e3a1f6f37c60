"""Where the local stream poller has relayed up to, kept in the service's own table.

One item per stream shard, beside the items listed in `backbone.eventstore.items`:

| item           | pk                          | sk | attributes                                  |
|----------------|-----------------------------|----|---------------------------------------------|
| relay position | `relay-position#<shard id>` | 0  | seq (SequenceNumber), order (seq, 40 digits) |

Writing it makes a stream record too; the relay skips it, as it skips every non-notification item.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from typing import Any

from backbone.eventstore import items

POSITION_PREFIX = "relay-position#"
_SEQUENCE_DIGITS = 40
"""DynamoDB Streams sequence numbers have 21 to 40 digits; padded, text order is number order."""


class PositionStore(ABC):
    """The last relayed SequenceNumber of each shard."""

    @abstractmethod
    def get(self, shard_id: str) -> str | None:
        """The last SequenceNumber recorded for the shard; None before the first."""

    @abstractmethod
    def save(self, shard_id: str, sequence_number: str) -> None:
        """Record that everything up to and including sequence_number was relayed."""


class DynamoDBPositions(PositionStore):
    """Positions as items of the service's event-store table; they never move backwards."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self.table_name = table_name

    def get(self, shard_id: str) -> str | None:
        found = self._client.get_item(
            TableName=self.table_name, Key=_key(shard_id), ConsistentRead=True
        ).get("Item")
        return str(found["seq"]["S"]) if found else None

    def save(self, shard_id: str, sequence_number: str) -> None:
        item = {
            **_key(shard_id),
            "seq": {"S": sequence_number},
            "order": {"S": sequence_number.zfill(_SEQUENCE_DIGITS)},
        }
        # A failed condition means a position at least as far is already recorded.
        with contextlib.suppress(self._client.exceptions.ConditionalCheckFailedException):
            # Race prevented: two pollers on one table (two local processes) where the slower
            # records an older position after the faster recorded a newer one, moving it back
            # and making a restart republish what was already relayed.
            self._client.put_item(
                TableName=self.table_name,
                Item=item,
                ConditionExpression="attribute_not_exists(#pk) OR #order < :order",
                ExpressionAttributeNames={"#pk": "pk", "#order": "order"},
                ExpressionAttributeValues={":order": item["order"]},
            )


def _key(shard_id: str) -> items.Item:
    return items.key(POSITION_PREFIX + shard_id, 0)
