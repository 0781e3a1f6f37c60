"""The monitor API's process state: the service and settings, who may call, and error answers.

`holder(os.environ)` is the process's ApiHolder: it bootstraps the monitor service from the
environment on the first request that needs it (never at import) and judges callers by the API
settings alone until then. Operators are known by the API's authorizer (`operator_id`,
`principalId` or `sub`) or, locally, by an OPERATOR_API_KEYS key in X-Api-Key. An InvalidQuery
of the domain is a 400 naming the query parameter at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from backbone.http.errors import ErrorMap
from backbone.http.runtime import ApiHolder
from backbone.http.service_api import OperatorApi, OperatorApiSettings, ServiceCall
from monitor_service.api.settings import ApiSettings
from monitor_service.application import MonitorApplication
from monitor_service.bootstrap import MonitorService, MonitorServiceSettings, bootstrap
from monitor_service.domain import InvalidQuery

QUERY_FIELDS: Final = {
    "start": "from",
    "end": "to",
    "after": "next_token",
    "detail_type": "type",
    "tenant_id": "tenant",
}
"""The query parameter of each AuditQuery field."""


class Api(OperatorApi[MonitorService]):
    """The monitor service and the API's settings, for one process."""


identity: Final = Api.identity_of


def build_from_env(environ: Mapping[str, str]) -> Api:
    return Api(bootstrap(MonitorServiceSettings.from_env(environ)), ApiSettings.from_env(environ))


def holder(environ: Mapping[str, str]) -> ApiHolder[Api]:
    """The Api of `environ`, built on first use; its callers known before that."""
    return ApiHolder(
        lambda: build_from_env(environ), lambda: identity(ApiSettings.from_env(environ))
    )


class MonitorCall(ServiceCall[MonitorService, OperatorApiSettings]):
    """One request of a known operator."""

    @property
    def app(self) -> MonitorApplication:
        return self.service.app


def _query_field(error: Exception) -> str | None:
    field = getattr(error, "field", None)
    return QUERY_FIELDS.get(field, field) if isinstance(field, str) else None


ERRORS: Final = ErrorMap({InvalidQuery: 400}, field_of=_query_field)
"""The errors a client can cause: only query values the domain refuses (the rest is checked
by the query models first)."""
