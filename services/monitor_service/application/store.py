"""MonitorStore: the monitor's one eventsourcing Application, its storage, its board and commit.

It saves a change once with the consumed markers of the events that caused it (`commit`) and
keeps the live board (every read model, `board.py`) caught up with its log; `replay`,
`board_at` and `board_as_of` answer for past times. Its lock serializes this process's use cases
(they share the in-memory board). It knows no use case.

Audit storage. The application's notification log is the audit log: each consumed event is one
AuditEntry (a one-event aggregate whose id derives from the event id), saved with the event's
consumed marker in one transaction, so a redelivery writes nothing (AlreadyConsumed) and two
processes recording the same event conflict instead of recording it twice. Why not buckets (an
aggregate per hour or day)? Every consumer of the monitor's queue would append to the same bucket
and conflict on its version; one aggregate per event never conflicts, and the service's writes
are already ordered by the one notification counter (docs/architecture.md, "the write ceiling").

Replay reads the log forward in pages of LOG_PAGE (one Query each on DynamoDB): O(events), no
per-aggregate reads, and in exactly the order the live board applied them. `as_of` keeps the
entries recorded at or before it; the log is in commit order and each entry's timestamp is its
writer's clock, so reading stops at the first entry recorded more than CLOCK_SKEW after `as_of`.

Limits. A cold start replays the whole log (10k-15k events/s in process, most of it decoding
the stored events: `make bench`; on DynamoDB-on-moto about 1,000/s, on DynamoDB one ~1 MB Query per
page); the board holds every record in memory (about 2.4 KB per event with the models). To bound
both: checkpoint the board every N notifications (a snapshot item holding the models at
position P) and replay only after P; move the audit index itself to the table (items keyed by
hour, job and tenant, written in the save's transaction) so queries read only what they answer.
A writer whose clock runs more than CLOCK_SKEW behind may be cut from an `as_of` replay.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Final
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Recording
from eventsourcing.utils import Environment, EnvType

from backbone.eventstore import AlreadyConsumed
from monitor_service.application.board import MonitorBoard
from monitor_service.application.errors import Conflict
from monitor_service.domain import MonitorPolicy, ServiceHealth, to_ms

LOG_PAGE: Final = 500
CLOCK_SKEW: Final = timedelta(minutes=5)
REPLAYS_KEPT: Final = 2
"""Boards replayed to a past time kept for the next query of the same time (each holds the
records up to that time)."""


class MonitorStore(Application[UUID]):
    """Storage, commit and the board; see the module docstring."""

    name = "MonitorService"

    def __init__(self, env: EnvType | None = None, *, policy: MonitorPolicy | None = None) -> None:
        """`policy`: health timeouts, SLA targets and prices the board's models apply."""
        super().__init__(env)
        self.policy = policy or MonitorPolicy()
        self._board: MonitorBoard | None = None
        self._replays: dict[datetime, MonitorBoard] = {}
        self.lock = threading.RLock()
        """Held by a use case from its first read to its save."""

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Only the settings given (never os.environ): bootstrap reads the environment."""
        return Environment(name, {**type(self).env, **(env or {})})

    def current_board(self) -> MonitorBoard:
        """The live board, caught up with the log (built from the whole log on first use)."""
        with self.lock:
            if self._board is None:
                self._board = MonitorBoard(self.policy)
            self._read_log(self._board)
            return self._board

    def replay(self, as_of: datetime | None = None) -> MonitorBoard:
        """A new board from the log: everything, or only what was recorded by `as_of`."""
        board = MonitorBoard(self.policy)
        self._read_log(board, as_of=as_of)
        return board

    def board_at(self, at: datetime) -> MonitorBoard:
        """The live board, or, if it holds records from more than CLOCK_SKEW after `at`, the
        log replayed to `at` (so a writer whose clock runs a little ahead costs no replays)."""
        board = self.current_board()
        newest = board.recorded_until_ms
        if newest is None or newest <= to_ms(at + CLOCK_SKEW):
            return board
        return self.replay(as_of=at)

    def board_as_of(self, as_of: datetime) -> MonitorBoard:
        """Exactly what was recorded by `as_of`: the live board if it holds nothing later, else
        the log replayed to `as_of`, kept for reuse once the log has moved past CLOCK_SKEW
        after it (nothing recorded from then on can belong before `as_of`)."""
        board = self.current_board()
        newest, cut = board.recorded_until_ms, to_ms(as_of)
        if newest is None or newest <= cut:
            return board
        replayed = self._replays.get(as_of)
        if replayed is None:
            replayed = self.replay(as_of=as_of)
            if newest > to_ms(as_of + CLOCK_SKEW):
                self._replays[as_of] = replayed
                while len(self._replays) > REPLAYS_KEPT:
                    del self._replays[next(iter(self._replays))]
        return replayed

    def _read_log(self, board: MonitorBoard, *, as_of: datetime | None = None) -> None:
        stop = None if as_of is None else as_of + CLOCK_SKEW
        start = board.position + 1
        while True:
            page = self.recorder.select_notifications(start=start, limit=LOG_PAGE)
            for notification in page:
                event: Any = self.mapper.to_domain_event(notification)
                if stop is not None and event.timestamp > stop:
                    return
                if as_of is None or event.timestamp <= as_of:
                    board.apply(event, notification.id)
            if len(page) < LOG_PAGE:
                return
            start = page[-1].id + 1

    def commit(self, *aggregates: Any, consumed: Sequence[str] = ()) -> None:
        """Save once, with the consumed markers; AlreadyConsumed passes, other conflicts are
        Conflict (retry)."""
        kwargs = {"consumed": list(consumed)} if consumed else {}
        try:
            recordings = self.save(*aggregates, **kwargs)
        except AlreadyConsumed:
            raise
        except IntegrityError as error:
            raise Conflict(str(error)) from error
        if self._board is not None:
            self._apply(self._board, recordings)

    def _apply(self, board: MonitorBoard, recordings: Iterable[Recording[UUID]]) -> None:
        for recording in recordings:
            if recording.notification.id != board.position + 1:
                self._read_log(board)  # another process wrote in between
                return
            board.apply(recording.domain_event, recording.notification.id)

    def service_health(self, service: str, at: datetime) -> ServiceHealth:
        """The service's health record, or a new one watching it from `at`."""
        try:
            health: object = self.repository.get(ServiceHealth.id_for(service))
        except AggregateNotFoundError:
            return ServiceHealth.watch(service, at)
        assert isinstance(health, ServiceHealth)
        return health
