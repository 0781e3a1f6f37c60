"""The job API's process state: the service and settings, and who may call.

`holder(os.environ)` is the process's ApiHolder: it builds the job service with
`bootstrap(JobServiceSettings.from_env(...))` on the first request that needs it (never at
import) and judges callers by the API settings alone until then. Tenants are known by the API's
authorizer (`tenant_id`, or the Cognito claim `custom:tenant_id`) or, locally, by a
TENANT_API_KEYS key in X-Api-Key. backbone.http.runtime does the request plumbing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from backbone.http.identity import Identity
from backbone.http.runtime import ApiHolder, Call
from job_service.api.settings import ApiSettings
from job_service.application import JobsApplication
from job_service.bootstrap import JobService, JobServiceSettings, bootstrap

CLAIMS: Final = ("tenant_id", "custom:tenant_id")


def identity(settings: ApiSettings) -> Identity:
    """Who may call: tenants by the authorizer's claims, or by their API keys."""
    return Identity(CLAIMS, settings.api_keys, key_name="your tenant's API key")


@dataclass(frozen=True)
class Api:
    """The job service and the API's settings, for one process."""

    service: JobService
    settings: ApiSettings

    @classmethod
    def serving(cls, service: JobService, settings: ApiSettings) -> Api:
        """The API on `service`, which from now on keeps job profiles in memory."""
        service.app.cache_profiles(settings.profile_cache_seconds)
        return cls(service, settings)

    @property
    def identity(self) -> Identity:
        return identity(self.settings)


def build_from_env(environ: Mapping[str, str]) -> Api:
    settings = ApiSettings.from_env(environ)
    return Api.serving(bootstrap(JobServiceSettings.from_env(environ)), settings)


def holder(environ: Mapping[str, str]) -> ApiHolder[Api]:
    """The Api of `environ`, built on first use; its callers known before that."""
    return ApiHolder(
        lambda: build_from_env(environ), lambda: identity(ApiSettings.from_env(environ))
    )


class JobCall(Call[Api]):
    """One request of a known tenant."""

    @property
    def tenant_id(self) -> str:
        return self.principal

    @property
    def app(self) -> JobsApplication:
        return self.api.service.app

    def now(self) -> datetime:
        return self.api.service.clock()
