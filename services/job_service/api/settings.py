"""Settings of the REST API, read from the environment by `ApiSettings.from_env` only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from backbone.http.service_api import DEFAULT_OPERATOR, LOCAL_OPERATOR_KEYS, api_keys_from_env
from backbone.settings import SettingsError

LOCAL_API_KEYS: Final = "demo=local-demo-key"
"""TENANT_API_KEYS when it is not set at all: one demo tenant, for local runs."""


@dataclass(frozen=True)
class ApiSettings:
    api_keys: Mapping[str, str] = field(default_factory=dict)
    """Tenant by API key (the X-Api-Key header); empty: tenants come from the authorizer only."""
    operator_keys: Mapping[str, str] = field(default_factory=dict)
    """Operator by API key: only operators manage job profiles; empty: operators come from the
    operators' authorizer only."""
    profile_cache_seconds: float = 60.0
    """How long a job profile changed by another process may go unseen (profile_cache.py)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ApiSettings:
        """TENANT_API_KEYS ("tenant=key,tenant=key"; unset: demo=local-demo-key; empty: no
        keys), OPERATOR_API_KEYS (as on the other services; unset: local-operator-key; empty:
        no keys) and PROFILE_CACHE_SECONDS (default 60)."""
        seconds = environ.get("PROFILE_CACHE_SECONDS", "").strip() or "60"
        if not seconds.isdigit():
            raise SettingsError(f"PROFILE_CACHE_SECONDS={seconds!r} must be whole seconds")
        keys = api_keys_from_env(environ, "TENANT_API_KEYS", LOCAL_API_KEYS)
        operators = api_keys_from_env(
            environ, "OPERATOR_API_KEYS", LOCAL_OPERATOR_KEYS, DEFAULT_OPERATOR
        )
        return cls(api_keys=keys, operator_keys=operators, profile_cache_seconds=float(seconds))
