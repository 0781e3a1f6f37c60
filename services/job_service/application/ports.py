"""The application's ports: what it needs of the world, implemented by job_service.adapters.

StepRunner: how the job service runs, watches and stops EMR steps. Bootstrap picks the adapter:
`EmrStepRunner` on AWS, `FakeStepRunner` in unit tests and the simulator, and locally any subclass
that overrides what the emulator cannot do (moto's CancelSteps answers HTTP 500, so the local driver
cancels steps through moto's backend).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, Final, NamedTuple

ACTIVE_STATES: Final = ("PENDING", "CANCEL_PENDING", "RUNNING")
"""EMR step states in which a step still holds (or waits for) a slot."""


class StepStatus(NamedTuple):
    """An EMR step's state (EmrStepState) and, when it failed, why."""

    state: str
    message: str | None = None


class StepRunnerError(Exception):
    """Base of every error a StepRunner raises."""


class StepRunnerUnavailable(StepRunnerError):
    """EMR throttled or failed the request (5xx, network): the same request may succeed later."""


class ClusterGone(StepRunnerError):
    """The EMR cluster does not exist or no longer takes steps (terminating, terminated)."""


class StepNotFound(StepRunnerError):
    """The EMR cluster has no step with that id."""


class StepRejected(StepRunnerError):
    """EMR refused the request itself (an invalid step): retrying it will not help."""


class StepRunner(ABC):
    """Adds, describes, finds and cancels steps on EMR clusters (EMR's j-... ids)."""

    @abstractmethod
    def add_step(self, emr_cluster_id: str, step_config: Mapping[str, Any]) -> str:
        """Add one step (AddJobFlowSteps' Steps[n]); its step id (s-...)."""

    @abstractmethod
    def describe_step(self, emr_cluster_id: str, step_id: str) -> StepStatus:
        """The step's current state."""

    @abstractmethod
    def find_step(self, emr_cluster_id: str, name: str) -> str | None:
        """The id of the newest step called `name` that is still active or has ended, if any."""

    @abstractmethod
    def cancel_step(self, emr_cluster_id: str, step_id: str) -> None:
        """Ask EMR to cancel a pending or running step; a step that already ended is no error."""
