"""BoardReader: keeps the dispatch board up to date with the service's notification log.

The board (board.py) is built on first use from the newest checkpoint (checkpoint.py) and the log
after it, or from the whole log if there is no checkpoint to use. From then on, the store gives
the reader what each commit saved (`saved`), and `current()` reads whatever other processes wrote
(the log after the board's position) before each decision. The tick's `checkpoint_if_due` stores
a new checkpoint once the board is `checkpoint_every` notifications past the last one.

Log observers are other in-memory projections of the same log (the profile cache, the job
directory of listings): the reader gives each one every event it gives the board, in order,
before the board. When the board starts over at a position (a checkpoint's, or 0 for the whole
log), each observer says from where it needs the log (`resume_at`): the profile cache needs
nothing older (it forgets what it holds instead), the job directory needs what it has not seen
yet, which the reader then reads for it alone, up to the checkpoint. So a checkpoint is used
whatever observes the log, and a cold start reads only the log after it. A checkpointed observer
(`CheckpointedObserver`: the tenant directory, the tenants' usage) also has its state stored in
each checkpoint the reader writes (`checkpoint_state`, under `observers`) and restored from it, so
it needs no log before the checkpoint either; from a checkpoint without its state, it is read the
log before it as the job directory is.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, Final, Protocol, runtime_checkable
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Mapper, Recording

from job_service.application.board import DispatchBoard
from job_service.application.checkpoint import BoardCheckpoints

logger = logging.getLogger(__name__)

LOG_PAGE: Final = 500
"""Notifications read per request when the board catches up with the log."""
CHECKPOINT_EVERY: Final = 5_000
"""Notifications between two board checkpoints, unless BOARD_CHECKPOINT_EVERY says otherwise."""


class LogObserver(Protocol):
    """An in-memory projection of the log that the board reader keeps current."""

    def apply(self, event: Any, notification_id: int) -> None:
        """One stored event, in notification order; one seen before may come again (ignore it)."""

    def resume_at(self, position: int) -> int:
        """The board starts over at `position`: the notification id after which this observer
        needs the log up to `position` (`position` itself: it needs none of it)."""


@runtime_checkable
class CheckpointedObserver(LogObserver, Protocol):
    """A log observer whose state goes into the board's checkpoints, so that a cold start from a
    checkpoint gives it its state as of the checkpoint instead of the whole log before it."""

    checkpoint_key: str
    """Its entry in a checkpoint's `observers`."""
    position: int
    """The notification id of the last event it applied."""

    def state(self) -> Any:
        """Its whole state as JSON-able values."""

    def restore(self, state: Any, position: int) -> None:
        """Take `state` (as `state()` gave it) as of notification `position`."""


class BoardReader:
    """See the module docstring."""

    def __init__(
        self,
        recorder: ApplicationRecorder,
        mapper: Mapper[UUID],
        checkpoints: BoardCheckpoints,
        *,
        checkpoint_every: int = CHECKPOINT_EVERY,
        observers: Iterable[LogObserver] = (),
    ) -> None:
        """`checkpoint_every`: how far (in notifications) the board must get past the last
        checkpoint before `checkpoint_if_due` stores another."""
        self.recorder = recorder
        self.mapper = mapper
        self.checkpoints = checkpoints
        self.checkpoint_every = checkpoint_every
        self._observers: list[LogObserver] = list(observers)
        self._board: DispatchBoard | None = None
        self._checkpointed_at = 0
        """The position of the newest checkpoint this process knows of."""
        self._restored: dict[str, Any] = {}
        """The observers' states of the checkpoint the board was last restored from."""

    @property
    def held(self) -> DispatchBoard | None:
        """The board as the last read or save left it (no request); None until first built."""
        return self._board

    def observe(self, observer: LogObserver) -> None:
        """From now on, give `observer` every event the board reads or applies."""
        self._observers.append(observer)

    def current(self) -> DispatchBoard:
        """The board, up to date with the log: built on first use from the newest checkpoint
        and the log after it (or the whole log, if there is no checkpoint to use)."""
        if self._board is None:
            self._board = self._build(from_checkpoint=True)
        else:
            self._read_log(self._board, live=True)
        return self._board

    def rebuild(self, *, from_checkpoint: bool = False) -> DispatchBoard:
        """Forget the board and build it again: from the whole log, unless `from_checkpoint`."""
        self._board = self._build(from_checkpoint=from_checkpoint)
        return self._board

    def saved(self, recordings: Sequence[Recording[UUID]]) -> None:
        """Apply what this process just saved; a gap (another process wrote in between) reads
        the log instead. Nothing to do before the board is first built."""
        board = self._board
        if board is None:
            return
        for recording in recordings:
            if recording.notification.id != board.position + 1:
                self._read_log(board, live=True)
                return
            self._apply(board, recording.domain_event, recording.notification.id, live=True)

    def checkpoint_if_due(self, at: datetime) -> None:
        """Store the board once it is `checkpoint_every` notifications past the last checkpoint.

        Only a board this process holds is written, settled at `at` first so that it does not
        carry the jobs that left the queues. A failure is logged and costs nothing but a slower
        cold start, so it never fails the caller."""
        board = self._board
        if board is None or board.position - self._checkpointed_at < self.checkpoint_every:
            return
        try:
            latest = self.checkpoints.latest_position() or 0
            if board.position - latest >= self.checkpoint_every:
                board.dispatcher.settle(at)
                self.checkpoints.save(self.checkpoint_state())
                latest = board.position
        except Exception:  # a checkpoint is an optimisation: never worth failing the tick for
            logger.exception("could not store a board checkpoint at %s", board.position)
            return
        self._checkpointed_at = max(self._checkpointed_at, latest)

    def checkpoint_state(self) -> dict[str, Any]:
        """The board's checkpoint, with the state of each checkpointed observer that has seen
        exactly the log the board has (`observers`); built on first use."""
        board = self.current() if self._board is None else self._board
        state = board.checkpoint()
        state["observers"] = {
            observer.checkpoint_key: observer.state()
            for observer in self._observers
            if isinstance(observer, CheckpointedObserver) and observer.position == board.position
        }
        return state

    def _build(self, *, from_checkpoint: bool) -> DispatchBoard:
        self._restored = {}
        board = (self._restore() if from_checkpoint else None) or DispatchBoard()
        for observer in self._observers:
            if isinstance(observer, CheckpointedObserver):
                self._restore_observer(observer, board.position)
            after = observer.resume_at(board.position)
            for event, notification_id in self.events(after, upto=board.position):
                observer.apply(event, notification_id)
        self._read_log(board, live=False)
        return board

    def _restore_observer(self, observer: CheckpointedObserver, position: int) -> None:
        """Give `observer` its state of the checkpoint the board starts at, if that has it and
        the observer is behind it."""
        saved = self._restored.get(observer.checkpoint_key)
        if saved is not None and observer.position < position:
            observer.restore(saved, position)

    def _restore(self) -> DispatchBoard | None:
        """The board of the newest checkpoint; None (logged) if there is none or it is unusable,
        since the whole log always gives the same board, only slower."""
        try:
            state = self.checkpoints.load()
            board = None if state is None else DispatchBoard.from_checkpoint(state)
            observers = {} if state is None else dict(state.get("observers") or {})
        except Exception:  # any unreadable checkpoint: the log is the truth
            logger.exception("ignoring the board checkpoint: reading the whole log instead")
            return None
        if board is not None:
            self._checkpointed_at = max(self._checkpointed_at, board.position)
            self._restored = observers
        return board

    def _read_log(self, board: DispatchBoard, *, live: bool) -> None:
        for event, notification_id in self.events(board.position):
            self._apply(board, event, notification_id, live=live)

    def _apply(self, board: DispatchBoard, event: Any, notification_id: int, *, live: bool) -> None:
        for observer in self._observers:
            observer.apply(event, notification_id)
        board.apply(event, notification_id, live=live)

    def events(self, after: int, upto: int | None = None) -> Iterator[tuple[Any, int]]:
        """The log's events after `after` (up to `upto`), page by page."""
        if upto is not None and upto <= after:
            return
        start = after + 1
        while True:
            page = self.recorder.select_notifications(start=start, limit=LOG_PAGE, stop=upto)
            for notification in page:
                yield self.mapper.to_domain_event(notification), notification.id
            if len(page) < LOG_PAGE:
                return
            start = page[-1].id + 1
