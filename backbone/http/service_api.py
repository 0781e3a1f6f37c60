"""A service's REST API process state, the same shape in every service: the service, its API's
settings, and who may call.

Each service's `api/runtime.py` names its own types on top of this: its `Api` (a `ServiceApi`,
or for operators' APIs an `OperatorApi`, with the claims and key name of its callers), its Call
(a `ServiceCall` that gives actions the service's application), `build_from_env` and `holder`.
`api_keys_from_env` and `OperatorApiSettings` read the API keys of local runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Final, Generic, Protocol, TypeVar

from backbone.http.identity import Identity, InvalidApiKeys, parse_api_keys
from backbone.http.runtime import Call
from backbone.settings import SettingsError

OPERATOR_CLAIMS: Final = ("operator_id", "principalId", "sub")
"""The authorizer's claims that name an operator."""
LOCAL_OPERATOR_KEYS: Final = "local-operator-key"
"""OPERATOR_API_KEYS when it is not set at all: one key, for local runs."""
DEFAULT_OPERATOR: Final = "operator"


class Clocked(Protocol):
    """A service as its API needs it: it has a clock (each service's dataclass does)."""

    @property
    def clock(self) -> Callable[[], datetime]: ...


class KeySettings(Protocol):
    """An API's settings as its identity needs them."""

    @property
    def api_keys(self) -> Mapping[str, str]: ...


SV = TypeVar("SV", bound=Clocked)
ST = TypeVar("ST", bound=KeySettings)


@dataclass(frozen=True)
class ServiceApi(Generic[SV, ST]):
    """A service and its API's settings, for one process; callers known by CLAIMS or keys."""

    service: SV
    settings: ST
    CLAIMS: ClassVar[tuple[str, ...]] = ()
    """The authorizer's claims that name a caller, in order of preference."""
    KEY_NAME: ClassVar[str] = "an API key"
    """What a caller's X-Api-Key is, as 401 answers say."""

    @classmethod
    def identity_of(cls, settings: ST) -> Identity:
        """Who may call, from the API's settings alone (before the service is built)."""
        return Identity(cls.CLAIMS, settings.api_keys, key_name=cls.KEY_NAME)

    @property
    def identity(self) -> Identity:
        return self.identity_of(self.settings)


class ServiceCall(Call[ServiceApi[SV, ST]], Generic[SV, ST]):
    """One request of a known caller, on the service's Api."""

    @property
    def service(self) -> SV:
        return self.api.service

    def now(self) -> datetime:
        return self.api.service.clock()


def api_keys_from_env(
    environ: Mapping[str, str], name: str, local: str, bare_owner: str | None = None
) -> dict[str, str]:
    """{key: caller} from `name` ("owner=key,owner=key"; unset: `local`; empty: no keys)."""
    raw = environ.get(name)
    try:
        return parse_api_keys(local if raw is None else raw, name, bare_owner)
    except InvalidApiKeys as error:
        raise SettingsError(str(error)) from None


@dataclass(frozen=True)
class OperatorApiSettings:
    """Settings of an operators' REST API, read from the environment by `from_env` only."""

    api_keys: Mapping[str, str] = field(default_factory=dict)
    """Operator by API key (the X-Api-Key header); empty: operators come from the authorizer."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> OperatorApiSettings:
        """OPERATOR_API_KEYS ("key,operator=key", a bare key being DEFAULT_OPERATOR's; unset:
        local-operator-key; empty: no keys)."""
        keys = api_keys_from_env(
            environ, "OPERATOR_API_KEYS", LOCAL_OPERATOR_KEYS, DEFAULT_OPERATOR
        )
        return cls(api_keys=keys)


class OperatorApi(ServiceApi[SV, OperatorApiSettings]):
    """An operators' API: operators known by the authorizer's claims or their keys."""

    CLAIMS = OPERATOR_CLAIMS
    KEY_NAME = "an operator API key"
