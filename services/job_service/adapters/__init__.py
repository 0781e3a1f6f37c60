"""The job service's adapters: what it uses of the world, implementing application.ports.

The port's names are re-exported here for the callers that pick an adapter."""

from job_service.adapters.emr import EmrStepRunner
from job_service.adapters.fake_step_runner import FakeStepRunner
from job_service.application.ports import (
    ACTIVE_STATES,
    ClusterGone,
    StepNotFound,
    StepRejected,
    StepRunner,
    StepRunnerError,
    StepRunnerUnavailable,
    StepStatus,
)

__all__ = [
    "ACTIVE_STATES",
    "ClusterGone",
    "EmrStepRunner",
    "FakeStepRunner",
    "StepNotFound",
    "StepRejected",
    "StepRunner",
    "StepRunnerError",
    "StepRunnerUnavailable",
    "StepStatus",
]
