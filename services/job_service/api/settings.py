"""Settings of the REST API, read from the environment by `ApiSettings.from_env` only."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from job_service.bootstrap import SettingsError

LOCAL_API_KEYS: Final = "demo=local-demo-key"
"""TENANT_API_KEYS when it is not set at all: one demo tenant, for local runs."""
_TENANT: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_KEY: Final = re.compile(r"[!-~]{8,256}")


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
        keys = parse_api_keys(LOCAL_API_KEYS if raw is None else raw)
        return cls(api_keys=keys, profile_cache_seconds=float(seconds))


def parse_api_keys(raw: str) -> dict[str, str]:
    """{key: tenant} from "tenant=key,tenant=key" (blanks around entries are ignored)."""
    keys: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in raw.split(","))):
        tenant, _, key = (text.strip() for text in entry.partition("="))
        if not _TENANT.fullmatch(tenant) or not _KEY.fullmatch(key):
            raise SettingsError(
                "TENANT_API_KEYS entries are tenant=key: a tenant of letters, digits, '.', '_' "
                f"or '-', a key of 8 to 256 printable ASCII characters (see tenant {tenant[:40]!r})"
            )
        if key in keys:
            raise SettingsError(f"TENANT_API_KEYS gives one key to {keys[key]!r} and {tenant!r}")
        keys[key] = tenant
    return keys
