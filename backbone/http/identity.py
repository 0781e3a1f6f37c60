"""Who is calling: the principal of a request, from the API's authorizer or an API key.

On AWS an authorizer in front of the API names the principal in the request context: a Lambda
authorizer of a REST API in `authorizer`, of an HTTP API in `authorizer.lambda`, a Cognito user
pool among `authorizer.claims`; `Identity.claims` says which names to look for (e.g. tenant_id,
or operator_id, principalId, sub). A request that carries an authorizer context is judged by it
alone. Without one (local runs), the X-Api-Key header must hold one of `Identity.keys`.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from backbone.http.errors import ApiError

API_KEY_HEADER: Final = "X-Api-Key"
_PRINCIPAL: Final = re.compile(r"[!-~]{1,256}")
_OWNER: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_KEY: Final = re.compile(r"[!-~]{8,256}")


@dataclass(frozen=True)
class Identity:
    """How one API knows its callers."""

    claims: tuple[str, ...]
    """Names of the principal in an authorizer context, tried in order."""
    keys: Mapping[str, str] = field(default_factory=dict)
    """Principal by API key; empty: principals come from the authorizer only."""
    key_name: str = "an API key"
    """How the 401 names the key to send, e.g. "your tenant's API key"."""

    def principal(self, context: Mapping[str, Any], headers: Mapping[str, str]) -> str:
        """The caller's principal; ApiError 401 if the request does not prove one."""
        authorizer = context.get("authorizer")
        if isinstance(authorizer, Mapping) and authorizer:
            return self._from_authorizer(authorizer)
        key = headers.get(API_KEY_HEADER.lower()) or headers.get(API_KEY_HEADER)
        if not key:
            raise unauthorized(f"send {self.key_name} in the {API_KEY_HEADER} header")
        principal = key_owner(key, self.keys)
        if principal is None:
            raise unauthorized(f"the {API_KEY_HEADER} header holds no known API key")
        return principal

    def _from_authorizer(self, authorizer: Mapping[str, Any]) -> str:
        for scope in (authorizer, authorizer.get("lambda"), authorizer.get("claims")):
            if not isinstance(scope, Mapping):
                continue
            for name in self.claims:
                principal = scope.get(name)
                if isinstance(principal, str) and _PRINCIPAL.fullmatch(principal):
                    return principal
        names = " or ".join(self.claims)
        raise unauthorized(f"the authorizer named no usable {names} for this request", None)


def key_owner(key: str, keys: Mapping[str, str]) -> str | None:
    """The owner of `key`, comparing it with every known key in constant time."""
    found = None
    given = key.encode("utf-8", "surrogateescape")
    for known, owner in keys.items():
        if hmac.compare_digest(given, known.encode("utf-8")):
            found = owner
    return found


def unauthorized(message: str, field: str | None = API_KEY_HEADER) -> ApiError:
    """A 401 saying what to send."""
    return ApiError(401, "unauthorized", message, field=field)


class InvalidApiKeys(ValueError):
    """An API key setting that cannot be used; the message names the setting."""


def parse_api_keys(raw: str, setting: str, bare_owner: str | None = None) -> dict[str, str]:
    """{key: owner} from "owner=key,owner=key"; a bare "key" belongs to `bare_owner` (None:
    refused). Owners are letters, digits, '.', '_' or '-'; keys 8 to 256 printable ASCII."""
    keys: dict[str, str] = {}
    entries = filter(None, (part.strip() for part in raw.split(",")))
    for number, entry in enumerate(entries, start=1):
        owner, sep, key = (text.strip() for text in entry.partition("="))
        if not sep and bare_owner is not None:
            owner, key = bare_owner, owner
        if not _OWNER.fullmatch(owner) or not _KEY.fullmatch(key):
            form = "owner=key" + (" or key" if bare_owner is not None else "")
            raise InvalidApiKeys(
                f"{setting} entries are {form}: an owner of letters, digits, '.', '_' or '-', "
                f"a key of 8 to 256 printable ASCII characters (see entry {number})"
            )
        if key in keys:
            raise InvalidApiKeys(f"{setting} gives one key to {keys[key]!r} and {owner!r}")
        keys[key] = owner
    return keys
