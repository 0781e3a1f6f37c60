"""How stored events, notifications and tracking positions are laid out as DynamoDB items.

One table per service holds four kinds of item, told apart by the partition key:

| item            | pk                      | sk      | attributes                          |
|-----------------|-------------------------|---------|-------------------------------------|
| aggregate event | `<purpose>#<originator>`| version | topic, state, uuid, nid (if logged) |
| notification    | `notification`          | nid     | oid, uuid, v, topic, state          |
| counter         | `notification-counter`  | 0       | last (the highest nid allocated)    |
| tracking        | `tracking#<upstream>`   | 0       | max (the highest nid processed)     |
| consumed marker | `consumed#<event id>`   | 0       | (none: its existence is the fact)   |
| relay position  | `relay-position#<shard>`| 0       | seq, order (see local_runtime)      |

Numbers are written as DynamoDB `N` and read back as `int`, never `Decimal`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent

from backbone.eventstore.table import PARTITION_KEY, SORT_KEY

NOTIFICATION_PK = "notification"
COUNTER_PK = "notification-counter"
Item = dict[str, dict[str, Any]]


def aggregate_pk(purpose: str, originator_id: UUID | str) -> str:
    return f"{purpose}#{originator_id}"


def tracking_pk(application_name: str) -> str:
    return f"tracking#{application_name}"


def marker_item(consumed_event_id: str) -> Item:
    return key(f"consumed#{consumed_event_id}", 0)


def key(pk: str, sk: int) -> Item:
    return {PARTITION_KEY: {"S": pk}, SORT_KEY: {"N": str(sk)}}


def aggregate_item(purpose: str, event: StoredEvent, nid: int | None) -> Item:
    item = key(aggregate_pk(purpose, event.originator_id), event.originator_version)
    item["topic"] = {"S": event.topic}
    item["state"] = {"B": event.state}
    item["uuid"] = {"BOOL": isinstance(event.originator_id, UUID)}
    if nid is not None:
        item["nid"] = {"N": str(nid)}
    return item


def notification_item(event: StoredEvent, nid: int) -> Item:
    item = key(NOTIFICATION_PK, nid)
    item["oid"] = {"S": str(event.originator_id)}
    item["uuid"] = {"BOOL": isinstance(event.originator_id, UUID)}
    item["v"] = {"N": str(event.originator_version)}
    item["topic"] = {"S": event.topic}
    item["state"] = {"B": event.state}
    return item


def _originator_id(text: str, is_uuid: bool) -> UUID | str:
    return UUID(text) if is_uuid else text


def stored_event_from(item: Item) -> StoredEvent:
    oid = item[PARTITION_KEY]["S"].split("#", 1)[1]
    return StoredEvent(
        originator_id=_originator_id(oid, item["uuid"]["BOOL"]),
        originator_version=int(item[SORT_KEY]["N"]),
        topic=item["topic"]["S"],
        state=bytes(item["state"]["B"]),
    )


def notification_from(item: Item) -> Notification:
    return Notification(
        id=int(item[SORT_KEY]["N"]),
        originator_id=_originator_id(item["oid"]["S"], item["uuid"]["BOOL"]),
        originator_version=int(item["v"]["N"]),
        topic=item["topic"]["S"],
        state=bytes(item["state"]["B"]),
    )


def int_attribute(item: Item | None, name: str) -> int | None:
    if not item or name not in item:
        return None
    return int(item[name]["N"])
