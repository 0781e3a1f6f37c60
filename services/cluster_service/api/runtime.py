"""The operators' API's process state: the service and settings, and who may call.

`holder(os.environ)` is the process's ApiHolder: it builds the cluster service with
`bootstrap(ClusterServiceSettings.from_env(...))` on the first request that needs it (never at
import) and judges callers by the API settings alone until then. Operators are known by the
API's authorizer (`operator_id`, `principalId` or the Cognito claim `sub`) or, locally, by an
OPERATOR_API_KEYS key in X-Api-Key. backbone.http.runtime does the request plumbing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from backbone.http.identity import Identity
from backbone.http.runtime import ApiHolder, Call
from cluster_service.api.settings import ApiSettings
from cluster_service.application import ClustersApplication
from cluster_service.bootstrap import ClusterService, ClusterServiceSettings, bootstrap

CLAIMS: Final = ("operator_id", "principalId", "sub")


def identity(settings: ApiSettings) -> Identity:
    """Who may call: operators by the authorizer's claims, or by their API keys."""
    return Identity(CLAIMS, settings.api_keys, key_name="an operator API key")


@dataclass(frozen=True)
class Api:
    """The cluster service and the API's settings, for one process."""

    service: ClusterService
    settings: ApiSettings

    @property
    def identity(self) -> Identity:
        return identity(self.settings)


def build_from_env(environ: Mapping[str, str]) -> Api:
    settings = ApiSettings.from_env(environ)
    return Api(bootstrap(ClusterServiceSettings.from_env(environ)), settings)


def holder(environ: Mapping[str, str]) -> ApiHolder[Api]:
    """The Api of `environ`, built on first use; its callers known before that."""
    return ApiHolder(
        lambda: build_from_env(environ), lambda: identity(ApiSettings.from_env(environ))
    )


class ClusterCall(Call[Api]):
    """One request of a known operator."""

    @property
    def app(self) -> ClustersApplication:
        return self.api.service.app

    def now(self) -> datetime:
        return self.api.service.clock()
