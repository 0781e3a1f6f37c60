"""A StepRunner in memory, for unit tests and the simulator: steps change state when told to."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from job_service.application.ports import (
    ACTIVE_STATES,
    ClusterGone,
    StepNotFound,
    StepRunner,
    StepStatus,
)


@dataclass
class FakeStep:
    emr_cluster_id: str
    step_id: str
    config: dict[str, Any]
    status: StepStatus = field(default_factory=lambda: StepStatus("PENDING"))


class FakeStepRunner(StepRunner):
    """Records every call; `fail_next` makes the next call of one method raise an error."""

    def __init__(self) -> None:
        self.steps: dict[str, FakeStep] = {}
        self.gone: set[str] = set()
        """EMR cluster ids that no longer take steps."""
        self.cancelled: list[str] = []
        self.calls: list[tuple[str, str]] = []
        self._failures: dict[str, list[Exception]] = {}
        self._ids = itertools.count(1)

    def fail_next(self, method: str, error: Exception) -> None:
        """The next call of `method` ("add_step", "cancel_step", ...) raises `error`."""
        self._failures.setdefault(method, []).append(error)

    def set_state(self, step_id: str, state: str, message: str | None = None) -> None:
        """Move a step to `state`, as EMR would."""
        self.steps[step_id].status = StepStatus(state, message)

    def add_step(self, emr_cluster_id: str, step_config: Mapping[str, Any]) -> str:
        self._call("add_step", emr_cluster_id)
        if emr_cluster_id in self.gone:
            raise ClusterGone(f"{emr_cluster_id} is terminated")
        step_id = f"s-FAKE{next(self._ids):08d}"
        self.steps[step_id] = FakeStep(emr_cluster_id, step_id, dict(step_config))
        return step_id

    def describe_step(self, emr_cluster_id: str, step_id: str) -> StepStatus:
        self._call("describe_step", emr_cluster_id)
        return self._step(emr_cluster_id, step_id).status

    def find_step(self, emr_cluster_id: str, name: str) -> str | None:
        self._call("find_step", emr_cluster_id)
        found = [
            s.step_id
            for s in self.steps.values()
            if s.emr_cluster_id == emr_cluster_id and s.config.get("Name") == name
        ]
        return found[-1] if found else None

    def cancel_step(self, emr_cluster_id: str, step_id: str) -> None:
        self._call("cancel_step", emr_cluster_id)
        step = self._step(emr_cluster_id, step_id)
        self.cancelled.append(step_id)
        if step.status.state in ACTIVE_STATES:
            step.status = StepStatus("CANCELLED")

    def _call(self, method: str, emr_cluster_id: str) -> None:
        self.calls.append((method, emr_cluster_id))
        pending = self._failures.get(method)
        if pending:
            raise pending.pop(0)

    def _step(self, emr_cluster_id: str, step_id: str) -> FakeStep:
        step = self.steps.get(step_id)
        if step is None or step.emr_cluster_id != emr_cluster_id:
            raise StepNotFound(f"{emr_cluster_id} has no step {step_id}")
        return step
