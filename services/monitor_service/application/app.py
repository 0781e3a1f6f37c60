"""MonitorApplication: the monitor's use cases in one place, for the API, the handlers and tools.

A StoreFacade (backbone/facade.py) on the one MonitorStore (store.py, `app.store`), which keeps
the live board caught up with its log: it holds no logic; each of its use cases is the method of
a use-case object bootstrap built, bound in one line:

- `recording` (AuditRecording): every consumed event becomes an audit entry, saved with what it
  settles at once (an SLA breach, a cluster alarm, a recovery);
- `queries` (MonitorQueries): the audit log, the job history, a job's timeline, metrics,
  Prometheus text, health;
- `ticks` (MonitorTick): the health check, SLA deadlines and the monitor's own heartbeat.

Each saves through `MonitorStore.commit`, which also moves the live board forward. The board's
`current_board`, `replay`, `board_at` and `board_as_of` are the store's, bound here for tests
and tools. Every use case takes the time as `at`.
"""

from __future__ import annotations

from backbone.facade import StoreFacade
from monitor_service.application.queries import MonitorQueries
from monitor_service.application.recording import AuditRecording
from monitor_service.application.store import MonitorStore
from monitor_service.application.ticking import MonitorTick


class MonitorApplication(StoreFacade[MonitorStore]):
    """See the module docstring; bootstrap builds it (`build_application`)."""

    def __init__(
        self,
        store: MonitorStore,
        *,
        recording: AuditRecording,
        queries: MonitorQueries,
        ticks: MonitorTick,
    ) -> None:
        super().__init__(store)
        # For consumed events.
        self.record = recording.record
        self.record_batch = recording.record_batch
        # For the REST API (and the metrics published on every tick).
        self.audit_events = queries.audit_events
        self.job_timeline = queries.job_timeline
        self.job_history = queries.job_history
        self.metrics = queries.metrics
        self.prometheus = queries.prometheus
        self.health = queries.health
        # For the schedule.
        self.check = ticks.check
        self.tick = ticks.tick
        # The board, for tests and tools.
        self.current_board = store.current_board
        self.replay = store.replay
        self.board_at = store.board_at
        self.board_as_of = store.board_as_of
