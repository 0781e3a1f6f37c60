"""The simulator's persistence module: in-memory event stores that forget what nobody reads again.

`PERSISTENCE_MODULE=simulator.store`. A service's store behaves as `backbone.eventstore.memory`'s
(eventsourcing's POPO recorders with the consumed markers a save records atomically, a second save
naming one raising AlreadyConsumed), and a `Forgetting` (one per service) drops, every so often of
virtual time, what no reader will ask for again, so that memory follows what is live, not the
length of the log:

- the notification log up to where every follower of it (the relay; the job service's dispatch
  board) has read;
- every event and snapshot of an aggregate that is over (a finished job, a terminated cluster and
  the records kept about it) once it has been over for `grace_s`: longer than a message can take
  to arrive, be retried and be handled (SQS's retries of the simulated bus end within minutes);
- the history of a long-lived aggregate (a pool's demand, a cluster that runs for months): a
  snapshot of it as it is now (the store's own snapshot class), then the events up to it and older
  snapshots go. A read of it is then the snapshot and the events after it, as with any snapshot;
- consumed markers a redelivery can no longer name (older than two forgetting rounds).

A read of a forgotten part of the log raises `Forgotten` instead of returning less: a reader that
falls behind is a fault to see, not a gap to skip.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from threading import RLock
from typing import Any, Final
from uuid import UUID

from eventsourcing import popo
from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    IntegrityError,
    Notification,
    StoredEvent,
    Subscription,
)

from backbone.eventstore.notification_log import AlreadyConsumed

LONG_HISTORY: Final = 64
"""Events an aggregate keeps before a forgetting round snapshots it and drops them."""


class Forgotten(LookupError):
    """A read of notifications that were dropped because every follower had read them."""


class _Histories:
    """Stored events per originator, in version order; versions may be sparse (snapshots)."""

    def __init__(self) -> None:
        self.versions: dict[UUID, list[int]] = {}
        self.events: dict[UUID, list[StoredEvent]] = {}

    def check_new(self, stored_events: Sequence[StoredEvent]) -> None:
        seen: set[tuple[UUID, int]] = set()
        for s in stored_events:
            key = (_uuid(s.originator_id), s.originator_version)
            versions = self.versions.get(key[0])
            # the usual case first: a version after every stored one
            taken = versions and (versions[-1] >= key[1] and _has(versions, key[1]))
            if taken or key in seen:
                raise IntegrityError(f"Stored event already recorded: {s}")
            seen.add(key)

    def add(self, s: StoredEvent) -> None:
        key = _uuid(s.originator_id)
        versions = self.versions.setdefault(key, [])
        events = self.events.setdefault(key, [])
        if not versions or s.originator_version > versions[-1]:
            versions.append(s.originator_version)
            events.append(s)
        else:  # an older version after a newer one (sparse writers): keep the order
            at = bisect.bisect_left(versions, s.originator_version)
            versions.insert(at, s.originator_version)
            events.insert(at, s)

    def select(
        self,
        originator_id: UUID | str,
        gt: int | None,
        lte: int | None,
        desc: bool,
        limit: int | None,
    ) -> list[StoredEvent]:
        key = _uuid(originator_id)
        versions = self.versions.get(key)
        if not versions:
            return []
        first = 0 if gt is None else bisect.bisect_right(versions, gt)
        end = len(versions) if lte is None else bisect.bisect_right(versions, lte)
        events = self.events[key]
        found = events[first:end][::-1] if desc else events[first:end]
        return found if limit is None else found[:limit]

    def drop(self, originator_id: UUID) -> None:
        self.versions.pop(originator_id, None)
        self.events.pop(originator_id, None)

    def truncate(self, originator_id: UUID, upto: int, *, keep_last: bool = False) -> None:
        """Drop the versions up to `upto` (with `keep_last`, all but the last of them)."""
        versions = self.versions.get(originator_id)
        if not versions:
            return
        end = bisect.bisect_right(versions, upto) - (1 if keep_last else 0)
        if end > 0:
            del versions[:end]
            del self.events[originator_id][:end]

    def kept(self) -> int:
        return sum(len(v) for v in self.versions.values())


def _uuid(originator_id: UUID | str) -> UUID:
    return originator_id if isinstance(originator_id, UUID) else UUID(originator_id)


def _has(versions: list[int], version: int) -> bool:
    if versions[-1] == version:
        return True
    at = bisect.bisect_left(versions, version)
    return at < len(versions) and versions[at] == version


class ForgetfulAggregateRecorder(AggregateRecorder):
    """Snapshots (and any other aggregate recorder): kept per originator until forgotten."""

    def __init__(self) -> None:
        self._lock = RLock()
        self.histories = _Histories()

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with self._lock:
            self.histories.check_new(stored_events)
            for s in stored_events:
                self.histories.add(s)
        return None

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        with self._lock:
            return self.histories.select(originator_id, gt, lte, desc, limit)


class ForgetfulRecorder(ApplicationRecorder):
    """A service's events and notification log, with consumed markers (see the module)."""

    def __init__(self) -> None:
        self._lock = RLock()
        self.histories = _Histories()
        self._log: list[StoredEvent] = []
        self._base = 1
        """The notification id of `_log[0]`: everything before it was forgotten."""
        self._consumed: dict[str, int] = {}
        """Consumed marker → the forgetting round it was recorded in."""
        self._round = 0

    # Writing and reading, as an ApplicationRecorder.

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        consumed = list(kwargs.pop("consumed", ()))
        with self._lock:
            seen = [key for key in consumed if key in self._consumed]
            if seen:
                raise AlreadyConsumed(seen)
            self.histories.check_new(stored_events)
            ids = []
            for s in stored_events:
                self.histories.add(s)
                self._log.append(s)
                ids.append(self._base + len(self._log) - 1)
            for key in consumed:
                self._consumed[key] = self._round
        return ids

    def is_consumed(self, consumed_event_id: str) -> bool:
        return consumed_event_id in self._consumed

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        with self._lock:
            return self.histories.select(originator_id, gt, lte, desc, limit)

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        with self._lock:
            first = 1 if start is None else start + (0 if inclusive_of_start else 1)
            first = max(first, 1)
            if first < self._base:
                raise Forgotten(
                    f"notifications {first}..{self._base - 1} were forgotten: every follower "
                    "had read them"
                )
            end = len(self._log) if stop is None else min(len(self._log), stop - self._base + 1)
            found: list[Notification] = []
            for i in range(first - self._base, end):
                s = self._log[i]
                if topics and s.topic not in topics:
                    continue
                found.append(
                    Notification(
                        id=self._base + i,
                        originator_id=s.originator_id,
                        originator_version=s.originator_version,
                        topic=s.topic,
                        state=s.state,
                    )
                )
                if len(found) == limit:
                    break
            return found

    def max_notification_id(self) -> int | None:
        with self._lock:
            last = self._base + len(self._log) - 1
            return last or None

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> Subscription[ApplicationRecorder]:
        raise NotImplementedError("the simulator's bus reads the log; nothing subscribes")

    # Forgetting.

    def forget_log(self, upto: int) -> None:
        """Drop the notifications up to `upto` (every follower has read them)."""
        with self._lock:
            cut = min(upto - self._base + 1, len(self._log))
            if cut > 0:
                del self._log[:cut]
                self._base += cut

    def forget_markers(self) -> None:
        """Drop the consumed markers recorded before the previous round; start a new round."""
        with self._lock:
            self._consumed = {k: r for k, r in self._consumed.items() if r >= self._round}
            self._round += 1

    def long_histories(self, size: int) -> list[UUID]:
        with self._lock:
            return [key for key, v in self.histories.versions.items() if len(v) >= size]

    @property
    def kept_notifications(self) -> int:
        return len(self._log)

    @property
    def kept_markers(self) -> int:
        return len(self._consumed)


@dataclass
class Forgetting:
    """What one service's store may forget, and when (see the module docstring).

    `store` is the service's eventsourcing Application (its repository's cache, its snapshots);
    `followers` gives the notification id up to which every reader of its log has read."""

    store: Any
    followers: Callable[[], int]
    grace_s: float
    _over: deque[tuple[float, tuple[UUID, ...]]] = field(default_factory=deque)
    dropped: int = 0
    """Aggregates forgotten whole."""
    compacted: int = 0
    """Snapshots taken to forget a long history."""

    @property
    def recorder(self) -> ForgetfulRecorder:
        recorder = self.store.recorder
        if not isinstance(recorder, ForgetfulRecorder):
            raise TypeError("forgetting needs PERSISTENCE_MODULE=simulator.store")
        return recorder

    def over(self, aggregate_ids: Iterable[UUID], at: float) -> None:
        """These aggregates are over at virtual time `at`: forget them `grace_s` later."""
        self._over.append((at + self.grace_s, tuple(aggregate_ids)))

    def forget(self, now: float) -> bool:
        """One round, if every follower has read the whole log (else nothing, False)."""
        recorder = self.recorder
        last = recorder.max_notification_id() or 0
        if self.followers() < last:
            return False
        recorder.forget_log(last)
        snapshots = self.store.snapshots
        cache = self.store.repository.cache
        while self._over and self._over[0][0] <= now:
            for aggregate_id in self._over.popleft()[1]:
                recorder.histories.drop(aggregate_id)
                if snapshots is not None:
                    snapshots.recorder.histories.drop(aggregate_id)
                if cache is not None and aggregate_id in cache.cache:
                    cache.get(aggregate_id, evict=True)
                self.dropped += 1
        if snapshots is not None:
            for aggregate_id in recorder.long_histories(LONG_HISTORY):
                version = self.store.repository.get(aggregate_id).version
                taken = snapshots.recorder.histories.versions.get(aggregate_id)
                if not taken or taken[-1] != version:
                    self.store.take_snapshot(aggregate_id)
                newest = snapshots.recorder.histories.versions[aggregate_id][-1]
                recorder.histories.truncate(aggregate_id, newest)
                snapshots.recorder.histories.truncate(aggregate_id, newest, keep_last=True)
                self.compacted += 1
        recorder.forget_markers()
        return True


# The module must hold exactly one factory class (eventsourcing looks it up by type), so
# POPOFactory is reached through `popo.`, never imported by name.
class Factory(popo.POPOFactory):
    """Recorders that can forget (see the module docstring)."""

    def application_recorder(self) -> ApplicationRecorder:
        return ForgetfulRecorder()

    def aggregate_recorder(self, purpose: str = "events") -> AggregateRecorder:
        return ForgetfulAggregateRecorder()
