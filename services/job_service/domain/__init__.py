"""The job service's pure domain: its aggregates (jobs, job profiles, the profile index, tenants,
known clusters, pool records) and its policies (dispatch ranking, back-off, admission). No I/O, no
clock: time is `at`."""

from job_service.domain.backoff import BACKOFF_BASE, BACKOFF_CAP, backoff
from job_service.domain.clusters import KnownCluster
from job_service.domain.dispatch import Allocation, Dispatcher, DispatchQueue
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
    HOLDS_SLOT,
    TERMINAL,
    JobStatus,
    JobTerms,
    StepRef,
    Wait,
)
from job_service.domain.parameter_types import ParameterType
from job_service.domain.pools import ClusterRequest, PoolLimits
from job_service.domain.profile_index import PROFILE_INDEX_ID, ProfileIndex
from job_service.domain.profiles import JobProfile, ProfileTerms
from job_service.domain.ranking import AGING_STEP, dispatch_key
from job_service.domain.step_template import StepKind, StepTemplate
from job_service.domain.tenancy import DEFAULT_TERMS, Quotas, TenantTerms
from job_service.domain.tenant import KeyNotFound, Tenant, TenantError
from job_service.domain.values import PRIORITIES, JobType, Parameters, ParameterValue, Priority

__all__ = [
    "AGING_STEP",
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "DEFAULT_TERMS",
    "HOLDS_SLOT",
    "PRIORITIES",
    "PROFILE_INDEX_ID",
    "TERMINAL",
    "Allocation",
    "ClusterRequest",
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
    "KeyNotFound",
    "KnownCluster",
    "MissingParameter",
    "ParameterType",
    "ParameterValue",
    "Parameters",
    "PoolLimits",
    "Priority",
    "PriorityNotAllowed",
    "ProfileError",
    "ProfileIndex",
    "ProfileTerms",
    "Quotas",
    "StaleSignal",
    "StepKind",
    "StepRef",
    "StepTemplate",
    "Tenant",
    "TenantError",
    "TenantTerms",
    "UnknownParameter",
    "Wait",
    "backoff",
    "dispatch_key",
]
