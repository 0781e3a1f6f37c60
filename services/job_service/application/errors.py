"""Errors of the job service's use cases (the domain's own errors pass through unchanged)."""

from job_service.domain import JobServiceError


class NotFound(JobServiceError, LookupError):
    """Base of the errors the API answers with 404."""


class JobNotFound(NotFound):
    """No job with this id for this tenant (another tenant's job is not found either)."""

    def __init__(self, job_id: object) -> None:
        self.job_id = str(job_id)
        super().__init__(f"job {self.job_id} not found")


class ProfileNotFound(NotFound):
    """No job profile with this name."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"job profile {name!r} not found")


class ProfileExists(JobServiceError):
    """A job profile with this name exists already (update it instead; the API answers 409)."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"job profile {name!r} exists already")


class Conflict(JobServiceError):
    """Another writer changed the same aggregate at the same time; try the request again."""


class TenantNotFound(NotFound):
    """No tenant with this id."""

    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        super().__init__(f"tenant {tenant_id!r} not found")


class TenantExists(JobServiceError):
    """A tenant with this id exists already (the API answers 409)."""

    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        super().__init__(f"tenant {tenant_id!r} exists already")


class IdempotencyKeyReused(JobServiceError):
    """An idempotency key the tenant used before, with another request (the API answers 422):
    a key stands for one request, so a different one must not answer with the first's job."""

    def __init__(self, key: str, job_id: object) -> None:
        self.key, self.job_id = key, str(job_id)
        super().__init__(
            f"Idempotency-Key {key!r} was used for another request (job {self.job_id}); "
            "send a new key for a new job, or the same body to read the first job's answer"
        )
