"""The operators' API's process state: the cluster service and settings, and who may call.

`holder(os.environ)` is the process's ApiHolder: it builds the cluster service with
`bootstrap(ClusterServiceSettings.from_env(...))` on the first request that needs it (never at
import) and judges callers by the API settings alone until then. Operators are known by the
API's authorizer (`operator_id`, `principalId` or the Cognito claim `sub`) or, locally, by an
OPERATOR_API_KEYS key in X-Api-Key. backbone.http (runtime, service_api) does the plumbing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from backbone.http.runtime import ApiHolder
from backbone.http.service_api import OperatorApi, OperatorApiSettings, ServiceCall
from cluster_service.api.settings import ApiSettings
from cluster_service.application import ClustersApplication
from cluster_service.bootstrap import ClusterService, ClusterServiceSettings, bootstrap


class Api(OperatorApi[ClusterService]):
    """The cluster service and the API's settings, for one process."""


identity: Final = Api.identity_of


def build_from_env(environ: Mapping[str, str]) -> Api:
    return Api(bootstrap(ClusterServiceSettings.from_env(environ)), ApiSettings.from_env(environ))


def holder(environ: Mapping[str, str]) -> ApiHolder[Api]:
    """The Api of `environ`, built on first use; its callers known before that."""
    return ApiHolder(
        lambda: build_from_env(environ), lambda: identity(ApiSettings.from_env(environ))
    )


class ClusterCall(ServiceCall[ClusterService, OperatorApiSettings]):
    """One request of a known operator."""

    @property
    def app(self) -> ClustersApplication:
        return self.service.app
