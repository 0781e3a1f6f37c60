"""What a relay's `translate` reads: the domain events it announces (`Announced`), and the
aggregate as it was right after one of them (`AtVersion`).

`Announced` decodes a stored event only if its kind can be announced: most of a service's
stored events are internal, and decoding each only to drop it cost a relay as much as the rest
of its work. Which topics are internal is learnt as they come (a topic is decoded once, so old
topic names resolve as the mapper resolves them) and remembered.

AtVersion:

An integration event often needs more than its stored event carries (a job's tenant, a cluster's
EMR id), namely the aggregate as it was right after that event. The relay reads a service's
events in order, so a small LRU cache of aggregates moves each forward as its events come:

- an aggregate's first event (version 1) builds it, with no read;
- only the events that are announced come through `after`, so a cached copy falls behind by the
  ones in between (a job's Queued, a cluster's slot events): those are read from the store after
  the cached version and applied to it, a read of a few events, not of the aggregate's history;
- anything else (not cached, or a store that no longer has every event in between because it
  keeps a snapshot instead) is rebuilt from the store at that version.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Final
from uuid import UUID

from eventsourcing.application import Repository
from eventsourcing.persistence import Mapper, Notification

CACHED: Final = 1000


class AtVersion:
    """The aggregate right after a given event of it (see the module docstring)."""

    def __init__(self, repository: Repository[UUID], size: int = CACHED) -> None:
        self._repository = repository
        self._size = size
        self._cache: OrderedDict[UUID, Any] = OrderedDict()

    def after(self, event: Any) -> Any:
        found = self._cache.pop(event.originator_id, None)
        wanted = event.originator_version
        if found is None and wanted == 1:
            found = event.mutate(None)
        elif found is not None and found.version < wanted:
            missed: list[Any] = list(
                self._repository.event_store.get(
                    event.originator_id, gt=found.version, lte=wanted - 1
                )
            )
            if len(missed) == wanted - 1 - found.version:
                for skipped in missed:
                    skipped.mutate(found)
                event.mutate(found)
            else:
                found = self._repository.get(event.originator_id, version=wanted)
        elif found is None or found.version != wanted:
            found = self._repository.get(event.originator_id, version=wanted)
        self._cache[event.originator_id] = found
        if len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return found


class Announced:
    """The domain event of a notification, or None when its kind is never announced."""

    def __init__(self, mapper: Mapper[UUID], announces: Callable[[type], bool]) -> None:
        """`announces(kind)`: whether the translator may announce an event of that class."""
        self._mapper = mapper
        self._announces = announces
        self._internal: set[str] = set()
        """Topics whose events are never announced."""

    def event(self, notification: Notification) -> Any | None:
        if notification.topic in self._internal:
            return None
        event = self._mapper.to_domain_event(notification)
        if not self._announces(type(event)):
            self._internal.add(notification.topic)
            return None
        return event
