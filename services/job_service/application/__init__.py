"""The job service's use cases, the handlers of the events it consumes, and its translation."""

from job_service.application.app import JobsApplication
from job_service.application.board import DispatchBoard
from job_service.application.clusters import KnownCluster
from job_service.application.dispatching import step_name
from job_service.application.errors import (
    Conflict,
    JobNotFound,
    NotFound,
    ProfileExists,
    ProfileNotFound,
)
from job_service.application.handlers import JobServiceHandlers
from job_service.application.jobs import job_id_for
from job_service.application.profile_index import ProfileIndex
from job_service.application.ticking import TickReport
from job_service.application.translation import JobEventTranslator, translator_for

__all__ = [
    "Conflict",
    "DispatchBoard",
    "JobEventTranslator",
    "JobNotFound",
    "JobServiceHandlers",
    "JobsApplication",
    "KnownCluster",
    "NotFound",
    "ProfileExists",
    "ProfileIndex",
    "ProfileNotFound",
    "TickReport",
    "job_id_for",
    "step_name",
    "translator_for",
]
