"""LocalAwsDriver: EMR and CloudFormation moving on their own, in the process that hosts moto."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

from local_runtime.emulator import client

from . import hooks
from .aws_events import Publisher
from .emitter import Emitter
from .moto_objects import DEFAULT_ACCOUNT
from .records import ClusterRecord, StackFailure
from .settings import DriverTimings, FailureRates
from .world import World

DEFAULT_INTERVAL = 0.2
log = logging.getLogger(__name__)


class LocalAwsDriver:
    """Advances moto's stacks, clusters and steps through AWS's states and emits AWS's events.

    `tick(now)` is deterministic on any clock; `start()` calls it every 0.2 s on a thread.
    Stacks and clusters that exist when the driver is made are left alone (`ignore_existing`);
    `environ` may hold LOCAL_AWS_FAILURES; `events_client` defaults to one for `endpoint_url`.
    """

    def __init__(
        self,
        endpoint_url: str,
        region: str = "us-east-1",
        timings: DriverTimings | None = None,
        clock: Callable[[], float] = time.monotonic,
        *,
        environ: Mapping[str, str] | None = None,
        account_id: str = DEFAULT_ACCOUNT,
        ignore_existing: bool = True,
        events_client: Any | None = None,
    ) -> None:
        self.timings = timings or DriverTimings()
        self.failures = FailureRates.from_env(environ)
        self._clock, self._account, self._region = clock, account_id, region
        self._random = random.Random(self.failures.seed)
        self._lock, self._tick_lock = threading.RLock(), threading.Lock()
        self._emitter = Emitter(account_id, region)
        self._publisher = Publisher(events_client or client("events", endpoint_url, region))
        self._world = World(self.timings, self._emitter, self._chance, (account_id, region))
        if ignore_existing:
            self._world.ignore_existing()
        self._last: float | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def tick(self, now: float | None = None) -> list[dict[str, Any]]:
        """Apply everything due by `now` (default: the clock); the envelopes put on the bus."""
        with self._tick_lock:
            with self._lock:
                self._move(now)
                envelopes = self._emitter.take()
            return self._publisher.publish(envelopes)

    def fail_next_stack_create(
        self, reason: str = "Injected stack failure", *, rollback: bool = True
    ) -> None:
        """The next new stack fails: its cluster ends TERMINATED_WITH_ERRORS, the stack rolls back
        (or stops at CREATE_FAILED with rollback=False, as with OnFailure=DO_NOTHING)."""
        with self._lock:
            self._world.stack_failures.append(StackFailure(reason, rollback))

    def terminate_cluster_with_errors(
        self,
        cluster_id: str,
        reason: str = "Injected cluster failure",
        code: str = "INTERNAL_ERROR",
    ) -> None:
        """Next tick: running steps INTERRUPTED, pending CANCELLED, TERMINATED_WITH_ERRORS."""
        with self._lock:
            self._cluster(cluster_id).error_request = (code, reason)

    def fail_step(
        self, cluster_id: str, step_id: str | None = None, reason: str = "Injected step failure"
    ) -> str | None:
        """Make a step (default: the cluster's next to finish) end FAILED; its id, or None when
        no step is waiting and the next step added will fail."""
        with self._lock:
            record = self._cluster(cluster_id)
            target = record.step(step_id) if step_id else _next_to_finish(record)
            if step_id and target is None:
                raise LookupError(f"step {step_id} is not on cluster {cluster_id}")
            if target is None:
                record.fail_next.append(reason)
                return None
            target.fail_reason = reason
            return target.id

    def cancel_step(self, cluster_id: str, step_id: str) -> dict[str, str]:
        """CancelSteps for one step (moto's answers HTTP 500): a CancelStepsInfo dict."""
        with self._lock:
            return self._world.emr.request_cancel(self._cluster(cluster_id), step_id)

    def start(self, interval: float = DEFAULT_INTERVAL) -> None:
        """Tick every `interval` seconds on a daemon thread until stop(); meanwhile moto's
        CreateStack, DeleteStack and RunJobFlow are taken in as they return (see hooks)."""
        if self._thread is not None:
            return
        self._stop.clear()
        hooks.watch(self._account, self._region, self._observe)
        self._thread = threading.Thread(
            target=self._run, args=(interval,), name="local-aws-driver", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the ticking thread; safe to call twice."""
        thread, self._thread = self._thread, None
        hooks.unwatch(self._account, self._region, self._observe)
        self._stop.set()
        if thread is not None:
            thread.join(timeout=10)

    def __enter__(self) -> LocalAwsDriver:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self, interval: float) -> None:
        """The thread's loop: a failed tick is logged, and the next one tries again."""
        while not self._stop.wait(interval):
            try:
                self.tick()
            except Exception:
                log.exception("local AWS driver: tick failed")

    def _move(self, now: float | None) -> None:
        """Fire what was due since the last look, take in moto's changes, fire what is due now."""
        t = self._advance_clock(now)
        self._world.run_due(t)
        self._world.scan(t)
        self._world.run_due(t)

    def _observe(self) -> None:
        """Called from moto's request thread right after it created or deleted something."""
        with self._lock:
            self._move(None)

    def _advance_clock(self, now: float | None) -> float:
        """`now` (or the clock), never earlier than the last tick's."""
        t = self._clock() if now is None else now
        self._last = t if self._last is None else max(t, self._last)
        return self._last

    def _cluster(self, cluster_id: str) -> ClusterRecord:
        """A driven cluster's record, as of the last tick; LookupError if unknown."""
        return self._world.cluster(
            cluster_id, self._last if self._last is not None else self._clock()
        )

    def _chance(self, kind: str) -> bool:
        """Draw an injected failure of `kind` at its LOCAL_AWS_FAILURES rate."""
        rate: float = getattr(self.failures, kind)
        return rate > 0 and self._random.random() < rate


def _next_to_finish(record: ClusterRecord) -> Any:
    """The running step that ends first, else the first pending one, not already failing."""
    running = sorted(
        (s for s in record.running() if s.fail_reason is None), key=lambda s: s.ends_at or 0.0
    )
    pending = [s for s in record.waiting() if s.state == "PENDING" and s.fail_reason is None]
    return (running + pending)[0] if running or pending else None
