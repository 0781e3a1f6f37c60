"""Application and process recorders: aggregate events plus the service's notification log."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice
from typing import Any

from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    ListenNotifySubscription,
    Notification,
    OperationalError,
    ProcessRecorder,
    StoredEvent,
    Subscription,
    Tracking,
)

from backbone.eventstore import items
from backbone.eventstore.items import COUNTER_PK, NOTIFICATION_PK
from backbone.eventstore.recorders import (
    DynamoDBAggregateRecorder,
    DynamoDBTrackingRecorder,
    _assert_unique,
    _Cancelled,
    _raise_unless_transient,
)

_UNKNOWN = -1


class DynamoDBApplicationRecorder(DynamoDBAggregateRecorder, ApplicationRecorder):
    """Numbers every event 1, 2, 3, ... in one transaction with the event itself.

    A counter item holds the last number given out. A save claims the next numbers with a
    compare-and-set on that counter inside the same TransactWriteItems as its events, so numbers
    are gapless and committed in order. The last value seen is cached, so a save by the only
    writer is one request; a stale cache costs one retry, answered with the current value.
    """

    def __init__(
        self, client: Any, table_name: str, *, purpose: str = "events", poll_interval: float = 0.1
    ) -> None:
        super().__init__(client, table_name, purpose=purpose)
        self.poll_interval = poll_interval
        self._last_claimed = _UNKNOWN

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Also takes `tracking` (a Tracking) and `consumed` (ids of integration events this
        save answers: each is recorded once, and a second save naming it raises AlreadyConsumed).
        """
        _assert_unique(stored_events)
        tracking: Tracking | None = kwargs.get("tracking")
        consumed: Sequence[str] = kwargs.get("consumed", ())
        if not stored_events and tracking is None and not consumed:
            return None
        for attempt in range(self.max_attempts):
            last = self._last_claimed if self._last_claimed != _UNKNOWN else self._read_counter()
            operations, checked = self._operations(stored_events, last, tracking)
            first_marker = len(operations)
            operations += [self._put_new(items.marker_item(key)) for key in consumed]
            try:
                self._transact(operations)
            except _Cancelled as cancelled:
                _raise_if_consumed(cancelled.reasons, first_marker, consumed)
                _raise_unless_transient(cancelled.reasons, checked)
                self._learn_counter(cancelled.reasons, bool(stored_events))
                self._backoff(attempt)
                continue
            self._last_claimed = last + len(stored_events)
            return list(range(last + 1, last + 1 + len(stored_events))) or None
        raise OperationalError(f"gave up numbering events in {self.table_name} after conflicts")

    def _operations(
        self, stored_events: Sequence[StoredEvent], last: int, tracking: Tracking | None
    ) -> tuple[list[dict[str, Any]], list[int]]:
        """The transaction, and the positions whose failed condition means IntegrityError."""
        operations: list[dict[str, Any]] = []
        checked: list[int] = []
        if stored_events:
            operations.append(self._claim(last, len(stored_events)))
        for nid, event in enumerate(stored_events, start=last + 1):
            checked.append(len(operations))
            operations.append(self._put_new(items.aggregate_item(self.purpose, event, nid)))
            operations.append(self._put_new(items.notification_item(event, nid)))
        if tracking is not None:
            checked.append(len(operations))
            operations.append(self._advance_tracking(tracking))
        return operations, checked

    def _claim(self, last: int, count: int) -> dict[str, Any]:
        # Race prevented: two writers giving their events the same notification ids. Only the
        # writer whose expected counter value still holds commits; the other learns the current
        # value from the cancellation (ALL_OLD) and tries again with fresh numbers.
        names = {"#last": "last"}
        values = {":next": {"N": str(last + count)}}
        if last:
            condition = "#last = :expected"
            values[":expected"] = {"N": str(last)}
        else:
            condition = "attribute_not_exists(#pk)"
            names["#pk"] = "pk"
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": items.key(COUNTER_PK, 0),
                "UpdateExpression": "SET #last = :next",
                "ConditionExpression": condition,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }

    def _learn_counter(self, reasons: list[dict[str, Any]], claimed: bool) -> None:
        first = reasons[0] if reasons else {}
        if claimed and first.get("Code") == "ConditionalCheckFailed" and "Item" in first:
            self._last_claimed = items.int_attribute(first["Item"], "last") or 0
        else:
            self._last_claimed = _UNKNOWN

    def _read_counter(self) -> int:
        self._last_claimed = items.int_attribute(self._get(COUNTER_PK, 0), "last") or 0
        return self._last_claimed

    def is_consumed(self, consumed_event_id: str) -> bool:
        """Whether a save already answered this integration event (see `consumed`)."""
        return self._get(items.marker_item(consumed_event_id)["pk"]["S"], 0) is not None

    def max_notification_id(self) -> int | None:
        return self._read_counter() or None

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        low = 1 if start is None else max(start if inclusive_of_start else start + 1, 1)
        if stop is not None and stop < low:
            return []
        condition = " AND #sk >= :lo" if stop is None else " AND #sk BETWEEN :lo AND :hi"
        values = {":lo": {"N": str(low)}}
        if stop is not None:
            values[":hi"] = {"N": str(stop)}
        extra: dict[str, Any] = {"Limit": limit}
        if topics:
            names = {f":t{i}": {"S": t} for i, t in enumerate(topics)}
            values.update(names)
            extra = {"FilterExpression": f"topic IN ({', '.join(names)})"}
        found = self._query(NOTIFICATION_PK, condition, values, **extra)
        return [items.notification_from(item) for item in islice(found, limit)]

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> Subscription[ApplicationRecorder]:
        return DynamoDBSubscription(self, gt=gt, topics=topics)


def _raise_if_consumed(reasons: list[dict[str, Any]], first: int, keys: Sequence[str]) -> None:
    failed = [
        keys[i - first]
        for i, reason in enumerate(reasons)
        if i >= first and reason.get("Code") == "ConditionalCheckFailed"
    ]
    if failed:
        raise AlreadyConsumed(failed)


class AlreadyConsumed(IntegrityError):
    """The integration event(s) this save answers were answered before: nothing was written."""

    def __init__(self, keys: Sequence[str]) -> None:
        super().__init__(f"already consumed: {', '.join(keys)}")
        self.keys = list(keys)


class DynamoDBSubscription(ListenNotifySubscription[DynamoDBApplicationRecorder]):
    """Polls the notification log: DynamoDB has no LISTEN/NOTIFY to wake readers."""

    def _loop_on_pull(self) -> None:
        try:
            while not self._has_been_stopped:
                self._pull()
                self._has_been_notified.wait(self._recorder.poll_interval)
        except BaseException as e:
            if self._thread_error is None:
                self._thread_error = e
            self.stop()


class DynamoDBProcessRecorder(
    DynamoDBTrackingRecorder, DynamoDBApplicationRecorder, ProcessRecorder
):
    """Events and the upstream position they answer, written in one transaction."""
