"""The job API's process state: the service and settings, and who may call.

`holder(os.environ)` is the process's ApiHolder: it builds the job service with
`bootstrap(JobServiceSettings.from_env(...))` on the first request that needs it (never at
import) and judges callers by the API settings alone until then. Tenants are known by the API's
authorizer (`tenant_id`, or the Cognito claim `custom:tenant_id`) or, locally, by a
TENANT_API_KEYS key in X-Api-Key. backbone.http (runtime, service_api) does the plumbing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from backbone.http.runtime import ApiHolder
from backbone.http.service_api import ServiceApi, ServiceCall
from job_service.api.settings import ApiSettings
from job_service.application import JobsApplication
from job_service.bootstrap import JobService, JobServiceSettings, bootstrap


class Api(ServiceApi[JobService, ApiSettings]):
    """The job service and the API's settings, for one process."""

    CLAIMS = ("tenant_id", "custom:tenant_id")
    KEY_NAME = "your tenant's API key"

    @classmethod
    def serving(cls, service: JobService, settings: ApiSettings) -> Api:
        """The API on `service`, which from now on keeps job profiles in memory."""
        service.app.cache_profiles(settings.profile_cache_seconds)
        return cls(service, settings)


identity: Final = Api.identity_of


def build_from_env(environ: Mapping[str, str]) -> Api:
    settings = ApiSettings.from_env(environ)
    return Api.serving(bootstrap(JobServiceSettings.from_env(environ)), settings)


def holder(environ: Mapping[str, str]) -> ApiHolder[Api]:
    """The Api of `environ`, built on first use; its callers known before that."""
    return ApiHolder(
        lambda: build_from_env(environ), lambda: identity(ApiSettings.from_env(environ))
    )


class JobCall(ServiceCall[JobService, ApiSettings]):
    """One request of a known tenant."""

    @property
    def tenant_id(self) -> str:
        return self.principal

    @property
    def app(self) -> JobsApplication:
        return self.service.app
