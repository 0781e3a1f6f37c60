"""Settings of the REST API, read from the environment by `ApiSettings.from_env` only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from backbone.http.identity import InvalidApiKeys, parse_api_keys
from job_service.bootstrap import SettingsError

LOCAL_API_KEYS: Final = "demo=local-demo-key"
"""TENANT_API_KEYS when it is not set at all: one demo tenant, for local runs."""


@dataclass(frozen=True)
class ApiSettings:
    api_keys: Mapping[str, str] = field(default_factory=dict)
    """Tenant by API key (the X-Api-Key header); empty: tenants come from the authorizer only."""
    profile_cache_seconds: float = 60.0
    """How long a job profile changed by another process may go unseen (profile_cache.py)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ApiSettings:
        """TENANT_API_KEYS ("tenant=key,tenant=key"; unset: demo=local-demo-key; empty: no
        keys) and PROFILE_CACHE_SECONDS (default 60)."""
        raw = environ.get("TENANT_API_KEYS")
        seconds = environ.get("PROFILE_CACHE_SECONDS", "").strip() or "60"
        if not seconds.isdigit():
            raise SettingsError(f"PROFILE_CACHE_SECONDS={seconds!r} must be whole seconds")
        try:
            keys = parse_api_keys(LOCAL_API_KEYS if raw is None else raw, "TENANT_API_KEYS")
        except InvalidApiKeys as error:
            raise SettingsError(str(error)) from None
        return cls(api_keys=keys, profile_cache_seconds=float(seconds))
