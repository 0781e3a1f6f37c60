"""An in-memory persistence module with the DynamoDB store's `consumed` markers.

`PERSISTENCE_MODULE=backbone.eventstore.memory`: eventsourcing's POPO recorders, plus
what handlers rely on: a save's `consumed=[event ids]` is recorded with its events, atomically,
and a second save naming one of them raises AlreadyConsumed and writes nothing. For unit tests
and the simulator; plain `eventsourcing.popo` ignores `consumed` and would let duplicates in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing import popo
from eventsourcing.persistence import ApplicationRecorder, StoredEvent

from backbone.eventstore.notification_log import AlreadyConsumed


class MarkerRecorder(popo.POPOApplicationRecorder):
    """POPOApplicationRecorder that also keeps consumed-event markers."""

    def __init__(self) -> None:
        super().__init__()
        self.consumed: set[str] = set()

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        consumed = list(kwargs.pop("consumed", ()))
        with self._database_lock:
            seen = [key for key in consumed if key in self.consumed]
            if seen:
                raise AlreadyConsumed(seen)
            ids = self._insert_events(stored_events, **kwargs)
            self.consumed.update(consumed)
        self._notify_listeners()
        return ids

    def is_consumed(self, consumed_event_id: str) -> bool:
        return consumed_event_id in self.consumed


# The module must hold exactly one factory class (eventsourcing looks it up by type), so
# POPOFactory is reached through `popo.`, never imported by name.
class Factory(popo.POPOFactory):
    """POPOFactory whose application recorder keeps consumed markers."""

    def application_recorder(self) -> ApplicationRecorder:
        return MarkerRecorder()
