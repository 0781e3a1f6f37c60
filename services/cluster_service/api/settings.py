"""Settings of the operators' REST API, read from the environment by `ApiSettings.from_env` only."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from cluster_service.bootstrap import SettingsError

LOCAL_API_KEYS: Final = "local-operator-key"
"""OPERATOR_API_KEYS when it is not set at all: one key, for local runs."""
DEFAULT_OPERATOR: Final = "operator"
_OPERATOR: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_KEY: Final = re.compile(r"[!-~]{8,256}")


@dataclass(frozen=True)
class ApiSettings:
    api_keys: Mapping[str, str] = field(default_factory=dict)
    """Operator by API key (the X-Api-Key header); empty: operators come from the authorizer."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ApiSettings:
        """OPERATOR_API_KEYS ("key,operator=key"; unset: local-operator-key; empty: no keys)."""
        raw = environ.get("OPERATOR_API_KEYS")
        return cls(api_keys=parse_api_keys(LOCAL_API_KEYS if raw is None else raw))


def parse_api_keys(raw: str) -> dict[str, str]:
    """{key: operator} from "key,operator=key" (a bare key belongs to "operator")."""
    keys: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in raw.split(","))):
        name, sep, key = (text.strip() for text in entry.partition("="))
        if not sep:
            name, key = DEFAULT_OPERATOR, name
        if not _OPERATOR.fullmatch(name) or not _KEY.fullmatch(key):
            raise SettingsError(
                "OPERATOR_API_KEYS entries are key or operator=key: an operator of letters, "
                "digits, '.', '_' or '-', a key of 8 to 256 printable ASCII characters "
                f"(see operator {name[:40]!r})"
            )
        if key in keys:
            raise SettingsError(f"OPERATOR_API_KEYS gives one key to {keys[key]!r} and {name!r}")
        keys[key] = name
    return keys
