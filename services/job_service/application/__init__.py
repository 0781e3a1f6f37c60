"""The job service's use cases, the handlers of the events it consumes, and its translation.

Its shape (see docs/architecture.md): JobStore (store.py), the one eventsourcing Application,
saves; BoardReader (board_reader.py) keeps the dispatch board and the other log observers
current; the use cases are plain classes per subject that bootstrap builds on those; and
JobsApplication (app.py) names them all for the API, the handlers and tools. The ports the
adapters implement are in ports.py.
"""

from job_service.application.app import JobsApplication
from job_service.application.board import DispatchBoard
from job_service.application.board_reader import BoardReader, LogObserver
from job_service.application.dispatching import Dispatching, step_name
from job_service.application.errors import (
    Conflict,
    IdempotencyKeyReused,
    JobNotFound,
    NotFound,
    ProfileExists,
    ProfileNotFound,
    TenantExists,
    TenantNotFound,
)
from job_service.application.handlers import JobServiceHandlers
from job_service.application.jobs import JobUseCases, job_id_for
from job_service.application.listing import JobQueries
from job_service.application.pool_signals import PoolSignalUseCases
from job_service.application.profile_cache import ProfileCache
from job_service.application.profiles import ProfileLookup, ProfileUseCases
from job_service.application.signals import SignalUseCases
from job_service.application.store import JobStore
from job_service.application.ticking import TickReport, TickUseCases
from job_service.application.translation import JobEventTranslator, translator_for

__all__ = [
    "BoardReader",
    "Conflict",
    "DispatchBoard",
    "Dispatching",
    "IdempotencyKeyReused",
    "JobEventTranslator",
    "JobNotFound",
    "JobQueries",
    "JobServiceHandlers",
    "JobStore",
    "JobUseCases",
    "JobsApplication",
    "LogObserver",
    "NotFound",
    "PoolSignalUseCases",
    "ProfileCache",
    "ProfileExists",
    "ProfileLookup",
    "ProfileNotFound",
    "ProfileUseCases",
    "SignalUseCases",
    "TenantExists",
    "TenantNotFound",
    "TickReport",
    "TickUseCases",
    "job_id_for",
    "step_name",
    "translator_for",
]
