"""Settings of the operators' REST API, read from the environment by `ApiSettings.from_env` only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from backbone.http.identity import InvalidApiKeys, parse_api_keys
from cluster_service.bootstrap import SettingsError

LOCAL_API_KEYS: Final = "local-operator-key"
"""OPERATOR_API_KEYS when it is not set at all: one key, for local runs."""
DEFAULT_OPERATOR: Final = "operator"


@dataclass(frozen=True)
class ApiSettings:
    api_keys: Mapping[str, str] = field(default_factory=dict)
    """Operator by API key (the X-Api-Key header); empty: operators come from the authorizer."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ApiSettings:
        """OPERATOR_API_KEYS ("key,operator=key", a bare key being DEFAULT_OPERATOR's; unset:
        local-operator-key; empty: no keys)."""
        raw = environ.get("OPERATOR_API_KEYS")
        try:
            keys = parse_api_keys(
                LOCAL_API_KEYS if raw is None else raw, "OPERATOR_API_KEYS", DEFAULT_OPERATOR
            )
        except InvalidApiKeys as error:
            raise SettingsError(str(error)) from None
        return cls(api_keys=keys)
