"""eventsourcing recorders on one DynamoDB table, written with conditional transactions."""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    AggregateRecorder,
    IntegrityError,
    OperationalError,
    ProgrammingError,
    StoredEvent,
    Tracking,
    TrackingRecorder,
)

from backbone.eventstore import items
from backbone.eventstore.items import Item
from backbone.eventstore.table import PARTITION_KEY, SORT_KEY

TRANSACTION_ITEM_LIMIT = 100  # DynamoDB's TransactWriteItems ceiling.
_CONFLICT_CODES = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}


class TooManyEventsError(ProgrammingError):
    """More events in one save than one DynamoDB transaction can hold."""


class _Cancelled(Exception):
    def __init__(self, reasons: list[dict[str, Any]]):
        super().__init__(reasons)
        self.reasons = reasons


class DynamoDBRecorder:
    """Shared plumbing: consistent paginated queries and conditional transactions."""

    def __init__(self, client: Any, table_name: str, *, max_attempts: int = 60) -> None:
        self.client = client
        self.table_name = table_name
        self.max_attempts = max_attempts

    def _query(self, pk: str, condition: str, values: Item, **kwargs: Any) -> Iterator[Item]:
        """Items of one partition matching `condition` on the sort key, page after page."""
        request = {
            "TableName": self.table_name,
            "ConsistentRead": True,
            "KeyConditionExpression": f"#pk = :pk{condition}",
            "ExpressionAttributeNames": {"#pk": PARTITION_KEY},
            "ExpressionAttributeValues": {":pk": {"S": pk}, **values},
            **kwargs,
        }
        if "#sk" in condition:
            request["ExpressionAttributeNames"]["#sk"] = SORT_KEY
        while True:
            page = self.client.query(**request)
            yield from page["Items"]
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _get(self, pk: str, sk: int) -> Item | None:
        answer = self.client.get_item(
            TableName=self.table_name, Key=items.key(pk, sk), ConsistentRead=True
        )
        item: Item | None = answer.get("Item")
        return item

    def _transact(self, operations: list[dict[str, Any]]) -> None:
        if len(operations) > TRANSACTION_ITEM_LIMIT:
            raise TooManyEventsError(
                f"one save may write at most {TRANSACTION_ITEM_LIMIT} items in DynamoDB; "
                f"this one needs {len(operations)}: save the aggregate more often"
            )
        try:
            self.client.transact_write_items(TransactItems=operations)
        except self.client.exceptions.TransactionCanceledException as e:
            raise _Cancelled(e.response.get("CancellationReasons", [])) from e

    def _put_new(self, item: Item) -> dict[str, Any]:
        # Race prevented: two writers saving the same aggregate version (or notification id);
        # the second one must fail instead of overwriting the first one's event.
        return {
            "Put": {
                "TableName": self.table_name,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(#pk)",
                "ExpressionAttributeNames": {"#pk": PARTITION_KEY},
            }
        }

    def _advance_tracking(self, tracking: Tracking) -> dict[str, Any]:
        # Race prevented: an upstream notification processed twice, or an older one after a
        # newer one; the position only moves forward.
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": items.key(items.tracking_pk(tracking.application_name), 0),
                "UpdateExpression": "SET #max = :nid",
                "ConditionExpression": "attribute_not_exists(#pk) OR #max < :nid",
                "ExpressionAttributeNames": {"#pk": PARTITION_KEY, "#max": "max"},
                "ExpressionAttributeValues": {":nid": {"N": str(tracking.notification_id)}},
            }
        }

    @staticmethod
    def _backoff(attempt: int) -> None:
        time.sleep(random.uniform(0, min(0.2, 0.005 * 2**attempt)))


class DynamoDBAggregateRecorder(DynamoDBRecorder, AggregateRecorder):
    """Events of aggregates, one item per event, keyed by originator and version."""

    def __init__(self, client: Any, table_name: str, *, purpose: str = "events") -> None:
        super().__init__(client, table_name)
        self.purpose = purpose

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        _assert_unique(stored_events)
        if not stored_events:
            return None
        operations = [
            self._put_new(items.aggregate_item(self.purpose, e, None)) for e in stored_events
        ]
        for attempt in range(self.max_attempts):
            try:
                self._transact(operations)
                return None
            except _Cancelled as cancelled:
                _raise_unless_transient(cancelled.reasons, range(len(operations)))
                self._backoff(attempt)
        raise OperationalError(f"gave up writing to {self.table_name} after conflicts")

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        condition, values = _version_range(gt, lte)
        if condition is None:
            return []
        pk = items.aggregate_pk(self.purpose, originator_id)
        extra = {"Limit": limit} if limit else {}
        found = self._query(pk, condition, values, ScanIndexForward=not desc, **extra)
        return [items.stored_event_from(item) for item in islice(found, limit)]


def _version_range(gt: int | None, lte: int | None) -> tuple[str | None, Item]:
    if gt is not None and lte is not None:
        if gt + 1 > lte:
            return None, {}
        return " AND #sk BETWEEN :lo AND :hi", {":lo": {"N": str(gt + 1)}, ":hi": {"N": str(lte)}}
    if gt is not None:
        return " AND #sk > :lo", {":lo": {"N": str(gt)}}
    if lte is not None:
        return " AND #sk <= :hi", {":hi": {"N": str(lte)}}
    return "", {}


def _assert_unique(stored_events: Sequence[StoredEvent]) -> None:
    keys = {(str(e.originator_id), e.originator_version) for e in stored_events}
    if len(keys) < len(stored_events):
        raise IntegrityError(f"stored events are not unique: {stored_events}")


def _raise_unless_transient(reasons: list[dict[str, Any]], positions: Iterable[int]) -> None:
    """IntegrityError if a condition failed at one of `positions`; return if worth a retry."""
    codes = [r.get("Code", "None") for r in reasons]
    if not codes:
        raise IntegrityError("transaction cancelled without reasons")
    for i in positions:
        if i < len(codes) and codes[i] == "ConditionalCheckFailed":
            raise IntegrityError(f"a record already exists (item {i} of the transaction)")
    if not any(c in _CONFLICT_CODES or c == "ConditionalCheckFailed" for c in codes):
        raise OperationalError(f"transaction cancelled: {codes}")


class DynamoDBTrackingRecorder(DynamoDBRecorder, TrackingRecorder):
    """The position in each upstream application's notification log, per upstream name."""

    def insert_tracking(self, tracking: Tracking) -> None:
        try:
            self._transact([self._advance_tracking(tracking)])
        except _Cancelled as cancelled:
            _raise_unless_transient(cancelled.reasons, range(1))
            raise OperationalError(f"tracking write conflicted: {cancelled.reasons}") from None

    def max_tracking_id(self, application_name: str) -> int | None:
        return items.int_attribute(self._get(items.tracking_pk(application_name), 0), "max")
