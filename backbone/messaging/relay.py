"""The relay: the only way events leave a service (invariant 7, no dual writes).

Stream records of the service's table come in, in stream order: from a Lambda on the table's
DynamoDB stream (`handle_stream_event`), or from the local StreamPoller. Only INSERTs of
notification items are relayed: they are the service's stored events in notification-id order,
all in one partition, so one shard lineage keeps them in order. Every other item (aggregate
events, the counter, tracking, consumed markers, relay positions) is skipped.

The translate contract: `translate(notification, event_id)` turns a stored domain event into
the integration event it announces, built with exactly the `event_id` given, or returns None
for an internal event that is not published. Stored events are never published raw. The relay
derives the id from (namespace, originator id, originator version), so a republished event
carries the same id and consumers deduplicate it; an event with another id is refused
(EventIdMismatch). Passing the id in, rather than overwriting it afterwards, keeps every
integration event validated once, as built.

Publishing is at least once: whatever fails is reported from its record on, never dropped. A
record that can never be relayed blocks its shard; on AWS give the event source mapping an
OnFailure destination, or records older than the stream's 24 hours are lost unseen.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from eventsourcing.persistence import Notification

from backbone.eventstore import items
from backbone.eventstore.items import NOTIFICATION_PK
from backbone.eventstore.table import PARTITION_KEY
from backbone.messaging.publisher import EventPublisher, PublishFailed
from events.schemas import IntegrationEvent, derived_event_id

logger = logging.getLogger(__name__)

Translate = Callable[[Notification, str], IntegrationEvent | None]
"""(stored domain event, the event id to use) -> its integration event, or None if internal."""
StreamRecord = Mapping[str, Any]
"""A DynamoDB Streams record as Lambda or GetRecords gives it (`eventName`, `dynamodb`)."""


class EventIdMismatch(ValueError):
    """translate built an integration event with another id than the one it was given."""


class StreamNotReadable(ValueError):
    """A notification's INSERT without its new image: the stream must be NEW_IMAGE."""


class RelayInterrupted(Exception):
    """Records from `index` on were not (certainly) relayed; those before it were."""

    def __init__(self, index: int) -> None:
        super().__init__(f"relay stopped at record {index}")
        self.index = index


class Relay:
    """Translates notification records into integration events and publishes them, in order."""

    def __init__(self, translate: Translate, publisher: EventPublisher, *, namespace: str) -> None:
        """`namespace` (the service or table name) is part of every derived event id."""
        self._translate = translate
        self._publisher = publisher
        self.namespace = namespace

    def relay(self, records: Sequence[StreamRecord]) -> int:
        """Publish the records' events; the number published, or RelayInterrupted."""
        pending: list[tuple[int, IntegrationEvent]] = []
        stopped: tuple[int, Exception] | None = None
        for index, record in enumerate(records):
            try:
                event = self.event_of(record)
            except Exception as error:
                stopped = (index, error)
                break
            if event is not None:
                pending.append((index, event))
        self._publish(pending)
        if stopped is not None:
            raise RelayInterrupted(stopped[0]) from stopped[1]
        return len(pending)

    def _publish(self, pending: list[tuple[int, IntegrationEvent]]) -> None:
        if not pending:
            return
        try:
            self._publisher.publish([event for _, event in pending])
        except Exception as error:
            raise RelayInterrupted(_first_failed(pending, error)) from error

    def event_of(self, record: StreamRecord) -> IntegrationEvent | None:
        """The integration event a record announces; None for a record that is not relayed."""
        notification = notification_of(record)
        if notification is None:
            return None
        event_id = derived_event_id(
            self.namespace, str(notification.originator_id), notification.originator_version
        )
        event = self._translate(notification, event_id)
        if event is not None and event.event_id != event_id:
            raise EventIdMismatch(f"{event.detail_type} has id {event.event_id}, not {event_id}")
        return event

    def handle_stream_event(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """A Lambda's DynamoDB Streams handler; needs ReportBatchItemFailures on its mapping."""
        records = event.get("Records", [])
        try:
            self.relay(records)
        except RelayInterrupted as stopped:
            cause = stopped.__cause__ or stopped
            logger.error(
                "relay stopped at record %d of %d", stopped.index, len(records), exc_info=cause
            )
            return {"batchItemFailures": [_failure(record) for record in records[stopped.index :]]}
        return {"batchItemFailures": []}


def _first_failed(pending: list[tuple[int, IntegrationEvent]], error: Exception) -> int:
    """The record of the first event not published (the first of all, unless we know better)."""
    if isinstance(error, PublishFailed):
        failed = set(error.event_ids)
        found = (index for index, event in pending if event.event_id in failed)
        return next(found, pending[0][0])
    return pending[0][0]


def _failure(record: StreamRecord) -> dict[str, str]:
    return {"itemIdentifier": str(record["dynamodb"]["SequenceNumber"])}


def is_notification_insert(record: StreamRecord) -> bool:
    """Whether the record is the INSERT of a notification item (the only records relayed)."""
    change = record.get("dynamodb", {})
    key = change.get("Keys") or change.get("NewImage") or {}
    return (
        record.get("eventName") == "INSERT"
        and key.get(PARTITION_KEY, {}).get("S") == NOTIFICATION_PK
    )


def notification_of(record: StreamRecord) -> Notification | None:
    """The stored event of a notification item's INSERT; None for any other record."""
    if not is_notification_insert(record):
        return None
    image = record["dynamodb"].get("NewImage")
    if not image:
        sequence_number = record["dynamodb"].get("SequenceNumber")
        raise StreamNotReadable(f"record {sequence_number} has no NewImage")
    return items.notification_from({**image, "state": {"B": _binary(image["state"]["B"])}})


def _binary(value: bytes | str) -> bytes:
    """Binary attributes: bytes from boto3's GetRecords, base64 text in a Lambda's event."""
    return base64.b64decode(value, validate=True) if isinstance(value, str) else bytes(value)
