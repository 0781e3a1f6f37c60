"""EMR's state machines: clusters STARTING → BOOTSTRAPPING → WAITING ⇄ RUNNING → TERMINATED,
steps PENDING → RUNNING → COMPLETED, with AWS's failure and cancellation semantics."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from .emitter import Emitter
from .moto_objects import adopt_cluster, adopt_step, set_cluster_state, set_step_state
from .records import ClusterRecord, StepRecord
from .settings import DriverTimings, step_request

Action = tuple[float, Callable[[float], None]]
NO_REASON: tuple[str, str | None] = ("", None)
USER_REQUEST = ("USER_REQUEST", "Terminated by user request")
TERMINATE_ACTIONS = ("TERMINATE_CLUSTER", "TERMINATE_JOB_FLOW")


class EmrMachine:
    """Moves adopted clusters and their steps; every change is written to moto and emitted."""

    def __init__(
        self, timings: DriverTimings, emitter: Emitter, chance: Callable[[str], bool]
    ) -> None:
        self.timings = timings
        self.emit = emitter
        self.chance = chance

    def adopt(self, cluster: Any, seq: int, t: float, stack_id: str | None = None) -> ClusterRecord:
        """Take over a cluster: RunJobFlow's start at once, a stack's when the stack starts it."""
        record = ClusterRecord(adopt_cluster(cluster), seq, phase="PROVISIONING", stack_id=stack_id)
        if stack_id is None:
            record.auto_terminate = not record.cluster.keep_job_flow_alive_when_no_steps
            self.start(record, t)
        else:
            set_cluster_state(record.cluster, "STARTING", NO_REASON, self.emit.wall(t))
        self.intake(record, t)
        return record

    def start(self, record: ClusterRecord, t: float) -> None:
        """RunJobFlow happened: STARTING."""
        record.phase, record.due = "STARTING", t + self.timings.cluster_starting
        self._set(record, "STARTING", NO_REASON, t)

    def intake(self, record: ClusterRecord, t: float) -> None:
        """Apply what happened outside the driver: new steps, cancels, termination requests."""
        self._adopt_new_steps(record, t)
        for step in [s for s in record.steps if s.cancel_requested]:
            step.cancel_requested = False
            self._end_step(record, step, "CANCELLED", t)
        if record.error_request is not None:
            code, reason = record.error_request
            record.error_request = None
            self.terminate(record, t, "TERMINATED_WITH_ERRORS", code, reason)
        if record.cluster.terminate_requested:
            record.cluster.terminate_requested = False
            self.terminate(record, t, "TERMINATED", *USER_REQUEST)
        self._refresh(record, t)

    def actions(self, record: ClusterRecord) -> list[Action]:
        """What this cluster will do next, and when."""
        found: list[Action] = []
        if record.due is not None:
            found.append((record.due, partial(self._advance, record)))
        if record.phase == "READY":
            found.extend(
                (s.ends_at, partial(self._finish, record, s))
                for s in record.running()
                if s.ends_at is not None and not s.cancel_requested
            )
            found.extend(self._next_start(record) + self._idle_end(record))
        return found

    def terminate(
        self, record: ClusterRecord, t: float, final: str, code: str, message: str | None
    ) -> None:
        """TERMINATING now, `final` after cluster_terminating; steps interrupted or cancelled."""
        if record.phase in ("TERMINATING", "ENDED"):
            return
        if record.phase == "PROVISIONING":
            record.phase, record.ended_at = "ENDED", t
            set_cluster_state(record.cluster, final, (code, message), self.emit.wall(t))
            return
        record.ending, record.phase = (final, code, message), "TERMINATING"
        record.due = t + self.timings.cluster_terminating
        self._set(record, "TERMINATING", (code, message), t)
        for step in record.steps:
            if step.running:
                self._end_step(record, step, "INTERRUPTED", t)
            elif step.waiting:
                self._end_step(record, step, "CANCELLED", t)

    def request_cancel(self, record: ClusterRecord, step_id: str) -> dict[str, str]:
        """CancelSteps for one step: CANCEL_PENDING now, CANCELLED at the next tick."""
        step = record.step(step_id)
        if step is None or step.state not in ("PENDING", "RUNNING"):
            state = "unknown" if step is None else step.state
            reason = f"Step {step_id} cannot be cancelled in state {state}."
            return {"StepId": step_id, "Status": "FAILED", "Reason": reason}
        step.cancel_requested, step.state = True, "CANCEL_PENDING"
        step.step.state = "CANCEL_PENDING"
        return {"StepId": step_id, "Status": "SUBMITTED", "Reason": ""}

    def _adopt_new_steps(self, record: ClusterRecord, t: float) -> None:
        """Steps added since the last look: PENDING (CANCELLED on an ending cluster)."""
        known = {step.id for step in record.steps}
        for step in list(record.cluster.steps):
            if step.id in known:
                continue
            request = step_request(list(step.args))
            seconds = self.timings.step_run if request.seconds is None else request.seconds
            added = StepRecord(adopt_step(step), t, seconds)
            if request.exit_code:
                added.fail_reason = f"The step exited with code {request.exit_code}."
            if record.fail_next:
                added.fail_reason = record.fail_next.pop(0)
            record.steps.append(added)
            ending = record.phase in ("TERMINATING", "ENDED")
            self._end_step(record, added, "CANCELLED" if ending else "PENDING", t)

    def _advance(self, record: ClusterRecord, t: float) -> None:
        """The timed phase transitions."""
        record.due = None
        if record.phase == "STARTING" and record.fail_start is not None:
            self.terminate(
                record, t, "TERMINATED_WITH_ERRORS", "VALIDATION_ERROR", record.fail_start
            )
        elif record.phase == "STARTING":
            record.phase, record.due = "BOOTSTRAPPING", t + self.timings.cluster_bootstrapping
            self._set(record, "BOOTSTRAPPING", NO_REASON, t)
        elif record.phase == "BOOTSTRAPPING":
            record.phase, record.ready_at, record.slot_time = "READY", t, t
            self._refresh(record, t)
        elif record.phase == "TERMINATING" and record.ending is not None:
            final, code, message = record.ending
            record.phase, record.ended_at = "ENDED", t
            self._set(record, final, (code, message), t)

    def _next_start(self, record: ClusterRecord) -> list[Action]:
        """The first PENDING step, if a slot is free, when it may start."""
        startable = self._startable(record)
        if startable is None:
            return []
        ready, step = startable
        return [(ready, partial(self._start_now, record, step))]

    def _startable(self, record: ClusterRecord) -> tuple[float, StepRecord] | None:
        """(earliest start, step) of the first PENDING step when a slot is free."""
        pending = [s for s in record.waiting() if s.state == "PENDING"]
        if not pending or len(record.running()) >= record.slots:
            return None
        return max(pending[0].added_at + self.timings.step_pending, record.slot_time), pending[0]

    def _start_now(self, record: ClusterRecord, step: StepRecord, t: float) -> None:
        """Start a step, then whatever else may start, and update the cluster's state."""
        self._start_step(record, step, t)
        self._refresh(record, t)

    def _idle_end(self, record: ClusterRecord) -> list[Action]:
        """The AutoTerminationPolicy: terminate after IdleTimeout seconds idle."""
        if record.idle_since is None or record.idle_timeout is None:
            return []
        timeout = record.idle_timeout
        message = f"Cluster was idle for {timeout:g} seconds (auto-termination policy)"
        return [(record.idle_since + timeout, partial(self._auto_end, record, message))]

    def _auto_end(self, record: ClusterRecord, message: str, t: float) -> None:
        """Terminate an idle cluster (ALL_STEPS_COMPLETED)."""
        self.terminate(record, t, "TERMINATED", "ALL_STEPS_COMPLETED", message)

    def _start_step(self, record: ClusterRecord, step: StepRecord, t: float) -> None:
        """PENDING → RUNNING, deciding any random failure of the run."""
        step.started_at, step.ends_at = t, t + step.duration
        if step.fail_reason is None and self.chance("step"):
            step.fail_reason = "The step failed (LOCAL_AWS_FAILURES)."
        step.lose_cluster = self.chance("cluster")
        self._end_step(record, step, "RUNNING", t)

    def _finish(self, record: ClusterRecord, step: StepRecord, t: float) -> None:
        """A step's run ended: COMPLETED, FAILED (with its ActionOnFailure), or its cluster lost."""
        step.ends_at = None
        if step.lose_cluster:
            reason = "The cluster lost its instances (LOCAL_AWS_FAILURES)."
            self.terminate(record, t, "TERMINATED_WITH_ERRORS", "INSTANCE_FAILURE", reason)
            return
        if step.fail_reason is None:
            self._end_step(record, step, "COMPLETED", t)
        else:
            self._end_step(record, step, "FAILED", t, step.fail_reason)
            self._after_failure(record, step, t)
        record.slot_time = t
        self._refresh(record, t)

    def _after_failure(self, record: ClusterRecord, step: StepRecord, t: float) -> None:
        """ActionOnFailure: terminate the cluster, cancel the pending steps, or continue."""
        action = step.step.action_on_failure
        if action in TERMINATE_ACTIONS:
            message = f"Shut down as step {step.id} failed"
            self.terminate(record, t, "TERMINATED_WITH_ERRORS", "STEP_FAILURE", message)
        elif action == "CANCEL_AND_WAIT":
            for pending in record.waiting():
                self._end_step(record, pending, "CANCELLED", t)

    def _refresh(self, record: ClusterRecord, t: float) -> None:
        """Start what may start now; RUNNING while steps run, else WAITING (or, without
        KeepJobFlowAliveWhenNoSteps, TERMINATING)."""
        if record.phase != "READY":
            return
        while (startable := self._startable(record)) is not None and startable[0] <= t:
            self._start_step(record, startable[1], t)
        busy = bool(record.running() or record.waiting())
        if not busy and record.auto_terminate:
            self._auto_end(record, "Steps completed", t)
            return
        state = "RUNNING" if record.running() else "WAITING"
        if state != record.state:
            self._set(record, state, NO_REASON, t)
        if busy or record.idle_since is None:
            record.idle_since = None if busy else t

    def _end_step(
        self,
        record: ClusterRecord,
        step: StepRecord,
        state: str,
        t: float,
        failure: str | None = None,
    ) -> None:
        """Write a step's new state to moto and emit it."""
        step.state = state
        if state != "RUNNING":
            step.ends_at, step.cancel_requested = None, False
        set_step_state(step.step, state, self.emit.wall(t), failure)
        self.emit.step(step, record, state, t)

    def _set(
        self, record: ClusterRecord, state: str, reason: tuple[str, str | None], t: float
    ) -> None:
        """Write a cluster's new state to moto and emit it."""
        record.state = state
        set_cluster_state(record.cluster, state, reason, self.emit.wall(t))
        self.emit.cluster(record, state, reason, t)
