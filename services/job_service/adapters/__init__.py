"""The job service's adapters: what it uses of the world, behind small ports."""

from job_service.adapters.emr import EmrStepRunner
from job_service.adapters.fake_step_runner import FakeStepRunner
from job_service.adapters.step_runner import (
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
