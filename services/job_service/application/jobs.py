"""Use cases of a tenant's jobs: submit, cancel, read.

Idempotency: a submission with an idempotency key gets the job id uuid5(tenant, key), so a
repeat can only ever address the same job. The save comes first (one transaction on the warm
path); if the job exists already, the save fails on its version and the existing job is
returned, whether the repeat came later or raced the first one.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final
from uuid import UUID, uuid4, uuid5

from job_service.application.board_reader import BoardReader
from job_service.application.dispatching import Dispatching
from job_service.application.errors import IdempotencyKeyReused, JobNotFound
from job_service.application.identifiers import require_identifier
from job_service.application.profiles import ProfileLookup
from job_service.application.store import JobStore, serialized
from job_service.application.usage import TenantUsage
from job_service.domain import InvalidJob, Job, JobServiceError, ParameterValue, Priority
from job_service.domain.admission import Refused, admit

_IDEMPOTENCY_NAMESPACE: Final = UUID("c3e0b7a2-51d4-5f8e-a6b9-0d1c2e3f4a5b")


def job_id_for(tenant_id: str, idempotency_key: str) -> UUID:
    """The id of the job a tenant submits with this idempotency key."""
    return uuid5(_IDEMPOTENCY_NAMESPACE, json.dumps([tenant_id, idempotency_key]))


def _require_same_request(job: Job, idempotency_key: str, request_digest: str | None) -> None:
    """IdempotencyKeyReused if `job` was made by a request of another digest (a job stored
    before jobs kept one, or a request without one, compares nothing)."""
    known = job.request_digest
    if known is not None and request_digest is not None and known != request_digest:
        raise IdempotencyKeyReused(idempotency_key, job.id) from None


class JobUseCases:
    def __init__(
        self,
        store: JobStore,
        board: BoardReader,
        profiles: ProfileLookup,
        dispatching: Dispatching,
        usage: TenantUsage,
    ) -> None:
        self.store = store
        self.board = board
        self.profiles = profiles
        self.dispatching = dispatching
        self.usage = usage
        self._read_at = -math.inf
        """When admission last read the log (time.monotonic)."""

    @serialized
    def submit(
        self,
        tenant_id: str,
        profile_name: str,
        name: str,
        parameters: Mapping[str, ParameterValue],
        priority: Priority | None = None,
        idempotency_key: str | None = None,
        *,
        at: datetime,
        request_digest: str | None = None,
    ) -> Job:
        """A new QUEUED job (Submitted and Queued in one save), or the job that a repeated
        idempotency key already made (whatever the tenant's quotas say now: it is not a new
        job). `request_digest` identifies the request (the API's canonical JSON of the body):
        a repeated key whose job was made by a request of another digest raises
        IdempotencyKeyReused. A new job must pass admission (admission.py) under the tenant's
        terms and usage as of the log now (the board's catch-up)."""
        require_identifier(tenant_id, "tenant_id", InvalidJob)
        job_id = uuid4() if idempotency_key is None else job_id_for(tenant_id, idempotency_key)
        try:
            profile = self.profiles.get(profile_name, tenant_id=tenant_id)
            terms = profile.terms_for(tenant_id, name, parameters, priority)
            self._admit(tenant_id, terms.priority, at)
            job = Job.submit(job_id, terms, at, request_digest if idempotency_key else None)
            job.enqueue(at)
            self.store.commit(job)
        except JobServiceError:
            if idempotency_key is None:
                raise
            existing = self._existing(tenant_id, job_id)
            if existing is None:
                raise
            _require_same_request(existing, idempotency_key, request_digest)
            return existing
        return job

    def _admit(self, tenant_id: str, priority: Priority, at: datetime) -> None:
        """Admission under the tenant's terms and usage: decided on the board as this process
        holds it while the API's profile cache would still trust what it read (the same bound
        on how long another process's change may go unseen, and no read on the warm path);
        a refusal, or an older board, is decided on the log as it is now."""
        ttl, held = self.profiles.cache.ttl, self.board.held
        if held is not None and ttl is not None and time.monotonic() - self._read_at < ttl:
            try:
                admit(
                    tenant_id, held.terms_of(tenant_id), priority, self.usage.usage(tenant_id, at)
                )
                return
            except Refused:
                pass
        board = self.board.current()
        self._read_at = time.monotonic()
        admit(tenant_id, board.terms_of(tenant_id), priority, self.usage.usage(tenant_id, at))

    def _existing(self, tenant_id: str, job_id: UUID) -> Job | None:
        try:
            return self.store.tenants_job(tenant_id, job_id)
        except JobNotFound:
            return None

    @serialized
    def cancel(
        self, tenant_id: str, job_id: UUID | str, *, at: datetime, reason: str | None = None
    ) -> Job:
        """Cancel the job (IllegalTransition if it already ended); its running step, if any,
        is cancelled on EMR now, or by the tick when EMR cannot be reached."""
        job = self.store.tenants_job(tenant_id, job_id)
        job.cancel(at, reason)
        self.store.commit(job)
        self.dispatching.cancel_step_now(job)
        return job

    def get(self, tenant_id: str, job_id: UUID | str) -> Job:
        """The job as it is now; JobNotFound for another tenant's job."""
        return self.store.tenants_job(tenant_id, job_id)

    def history(self, tenant_id: str, job_id: UUID | str) -> list[Any]:
        """The job's stored domain events, oldest first (Job.Submitted, Job.Queued, ...)."""
        job = self.store.tenants_job(tenant_id, job_id)
        return list(self.store.repository.event_store.get(job.id))

    @serialized
    def queue_position(self, tenant_id: str, job_id: UUID | str, *, at: datetime) -> int | None:
        """How many jobs go before this queued job (0: it is next); None if it is not waiting
        in its queue now. The first call in a process builds the dispatch board."""
        job = self.store.tenants_job(tenant_id, job_id)
        return self.board.current().position_of(job.id, at)
