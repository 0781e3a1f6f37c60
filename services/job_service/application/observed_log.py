"""Lets in-process projections see every stored event that the dispatch board sees.

The board reads the notification log (`_read_log`) and applies this process's own saves as they
commit (`_apply`). An observer registered with `observe_log` is given each of those events with
its notification id, in order, before the board applies it. An event may come more than once
(a rebuilt board reads the log again): observers ignore ids they have seen. Once one is
registered, a rebuilt board reads the whole log rather than start from a checkpoint, which could
skip events an observer has not seen yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import Recording

from job_service.application.base import JobsCore
from job_service.application.board import DispatchBoard

LogObserver = Callable[[Any, int], None]
"""Called with a stored domain event and its notification id."""


class _Tee:
    """Stands in for the board in `_read_log` and `_apply`, which use only these two members."""

    def __init__(self, board: DispatchBoard, observers: Iterable[LogObserver]) -> None:
        self.board = board
        self._observers = tuple(observers)

    @property
    def position(self) -> int:
        return self.board.position

    def apply(self, event: Any, notification_id: int, *, live: bool = True) -> None:
        for observer in self._observers:
            observer(event, notification_id)
        self.board.apply(event, notification_id, live=live)


class ObservedLog(JobsCore):
    _log_observers: tuple[LogObserver, ...] = ()

    def observe_log(self, observer: LogObserver) -> None:
        """From now on, give `observer` every event the board reads or applies."""
        self._log_observers = (*self._log_observers, observer)

    def _load_checkpoint(self) -> DispatchBoard | None:
        return None if self._log_observers else super()._load_checkpoint()

    def _read_log(self, board: DispatchBoard, *, live: bool) -> None:
        super()._read_log(self._tee(board), live=live)

    def _apply(self, board: DispatchBoard, recordings: Iterable[Recording[UUID]]) -> None:
        super()._apply(self._tee(board), recordings)

    def _tee(self, board: DispatchBoard) -> DispatchBoard:
        if isinstance(board, _Tee) or not self._log_observers:
            return board
        return cast(DispatchBoard, _Tee(board, self._log_observers))
