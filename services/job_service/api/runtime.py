"""The job API's process state: the service and settings, and who may call.

`holder(os.environ)` is the process's ApiHolder: it builds the job service with
`bootstrap(JobServiceSettings.from_env(...))` on the first request that needs it (never at
import) and judges callers by the API settings alone until then. Tenants are known by the API's
authorizer (`tenant_id`, or the Cognito claim `custom:tenant_id`) or, locally, by a
TENANT_API_KEYS key in X-Api-Key; operators by the operators' authorizer (`operator_id`) or,
locally, by an OPERATOR_API_KEYS key in X-Api-Key; tenants registered over /tenants by
their stored keys too (looked up after the settings' keys). Only operators manage job profiles
and tenants
(`JobCall.require_operator`); only tenants have jobs (`JobCall.tenant_id`). backbone.http (runtime,
service_api) does the plumbing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from backbone.http.errors import ApiError
from backbone.http.identity import API_KEY_HEADER, Identity, key_owner, unauthorized
from backbone.http.runtime import ApiHolder
from backbone.http.service_api import ServiceApi, ServiceCall
from job_service.api.settings import ApiSettings
from job_service.application import JobsApplication
from job_service.bootstrap import JobService, JobServiceSettings, bootstrap

logger = logging.getLogger(__name__)

OPERATOR_PREFIX: Final = "operator:"
"""Begins the principal of an operator; a tenant's id never holds a ':'."""
OPERATOR_CLAIM: Final = "operator_id"
"""What the operators' authorizer (backbone.http.authorizer) names the operator in."""


@dataclass(frozen=True)
class Callers(Identity):
    """Tenants (by the tenant claims or keys) and operators (by `operator_id` or their keys);
    an operator's principal is OPERATOR_PREFIX + the operator's name."""

    operator_keys: Mapping[str, str] = field(default_factory=dict)
    stored_keys: Callable[[str], str | None] | None = None
    """The tenant of a key stored by the service (tenants.py), consulted after the settings'."""

    def principal(self, context: Mapping[str, Any], headers: Mapping[str, str]) -> str:
        authorizer = context.get("authorizer")
        if isinstance(authorizer, Mapping) and authorizer:
            operator = authorizer.get(OPERATOR_CLAIM)
            if isinstance(operator, str) and operator:
                return OPERATOR_PREFIX + operator
        else:
            key = headers.get(API_KEY_HEADER.lower()) or headers.get(API_KEY_HEADER)
            operator = key_owner(key, self.operator_keys) if key else None
            if operator is not None:
                return OPERATOR_PREFIX + operator
            if key and self.stored_keys is not None and key_owner(key, self.keys) is None:
                stored = self.stored_keys(key)
                if stored is not None:
                    return stored
        tenant = super().principal(context, headers)
        if ":" in tenant:
            raise unauthorized(f"a tenant id may not hold ':' ({tenant!r})", None)
        return tenant


class Api(ServiceApi[JobService, ApiSettings]):
    """The job service and the API's settings, for one process."""

    CLAIMS = ("tenant_id", "custom:tenant_id")
    KEY_NAME = "your tenant's API key"

    @classmethod
    def identity_of(
        cls, settings: ApiSettings, stored_keys: Callable[[str], str | None] | None = None
    ) -> Identity:
        return Callers(
            cls.CLAIMS,
            settings.api_keys,
            key_name=f"{cls.KEY_NAME} (or an operator API key)",
            operator_keys=settings.operator_keys,
            stored_keys=stored_keys,
        )

    @property
    def identity(self) -> Identity:
        """Callers by the settings' keys, then by the tenants' keys the service stores."""
        return self.identity_of(self.settings, self.service.app.tenant_of_key)

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
    """The Api of `environ`, built on first use; its callers known before that (a key that
    is none of the settings' builds it, to look among the tenants' stored keys)."""

    def stored_key(key: str) -> str | None:
        try:
            api = built.get()
        except Exception:  # the service cannot be built: its keys cannot be read either
            logger.exception("cannot look the API key up among the tenants' stored keys")
            return None
        return api.service.app.tenant_of_key(key)

    built = ApiHolder(
        lambda: build_from_env(environ),
        lambda: identity(ApiSettings.from_env(environ), stored_key),
    )
    return built


class JobCall(ServiceCall[JobService, ApiSettings]):
    """One request of a known tenant or operator."""

    @property
    def is_operator(self) -> bool:
        return self.principal.startswith(OPERATOR_PREFIX)

    @property
    def tenant_id(self) -> str:
        """The calling tenant; 403 for an operator (operators have no jobs)."""
        if self.is_operator:
            message = "operators have no jobs; send a tenant's API key"
            raise ApiError(403, "forbidden", message, field=API_KEY_HEADER)
        return self.principal

    def require_operator(self, what: str = "create, replace or delete job profiles") -> str:
        """The calling operator; 403 for a tenant (only operators manage job profiles and
        tenants)."""
        if not self.is_operator:
            message = f"only operators {what}; send an operator API key in X-Api-Key"
            raise ApiError(403, "forbidden", message, field=API_KEY_HEADER)
        return self.principal.removeprefix(OPERATOR_PREFIX)

    @property
    def app(self) -> JobsApplication:
        return self.service.app
