"""The job service's pure domain: jobs, job profiles, dispatch. No I/O, no clock: time is `at`."""

from job_service.domain.dispatch import AGING_STEP, Allocation, Dispatcher, DispatchQueue
from job_service.domain.errors import (
    IllegalTransition,
    InvalidJob,
    InvalidParameter,
    InvalidTemplate,
    JobServiceError,
    MissingParameter,
    PriorityNotAllowed,
    ProfileError,
    StaleSignal,
    UnknownParameter,
)
from job_service.domain.job import Job
from job_service.domain.lifecycle import (
    BACKOFF_BASE,
    BACKOFF_CAP,
    HOLDS_SLOT,
    TERMINAL,
    JobStatus,
    JobTerms,
    StepRef,
    Wait,
    backoff,
)
from job_service.domain.profiles import JobProfile, ProfileTerms
from job_service.domain.step_template import StepKind, StepTemplate
from job_service.domain.values import PRIORITIES, JobType, Parameters, ParameterValue, Priority

__all__ = [
    "AGING_STEP",
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "HOLDS_SLOT",
    "PRIORITIES",
    "TERMINAL",
    "Allocation",
    "DispatchQueue",
    "Dispatcher",
    "IllegalTransition",
    "InvalidJob",
    "InvalidParameter",
    "InvalidTemplate",
    "Job",
    "JobProfile",
    "JobServiceError",
    "JobStatus",
    "JobTerms",
    "JobType",
    "MissingParameter",
    "ParameterValue",
    "Parameters",
    "Priority",
    "PriorityNotAllowed",
    "ProfileError",
    "ProfileTerms",
    "StaleSignal",
    "StepKind",
    "StepRef",
    "StepTemplate",
    "UnknownParameter",
    "Wait",
    "backoff",
]
