"""next_token values: opaque to clients, base64url of a small JSON document.

A token holds where the next page starts (an int or a string the service chose) and the
filters it was made for. A token that does not decode, holds another kind of position, or comes
with other filters, is a 400 naming `field`. Tokens are not signed: the service must check the
position it gets back as it checks any client input (`foreign_token` is its 400).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any, Final, TypeVar

from backbone.http.errors import ApiError

TOKEN_VERSION: Final = 1
Filter = str | int | bool | None
P = TypeVar("P", int, str)


def encode_token(position: int | str, filters: Mapping[str, Filter]) -> str:
    """The next_token of the page that starts after `position`, for `filters`."""
    document = {"v": TOKEN_VERSION, "p": position, "f": dict(filters)}
    raw = json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(
    token: str, filters: Mapping[str, Filter], kind: type[P], field: str = "next_token"
) -> P:
    """The position in `token`; ApiError 400 unless this API made it, for these filters."""
    document = _document(token, field)
    position = document.get("p")
    if (
        set(document) != {"v", "p", "f"}
        or document["v"] != TOKEN_VERSION
        or type(position) is not kind
    ):
        raise foreign_token(field)
    if document["f"] != dict(filters):
        names = ", ".join(sorted(filters)) or "no other parameter"
        message = f"{field} was given for other filters; send the same {names} as before"
        raise ApiError(400, "invalid_next_token", message, field=field)
    found: P = position
    return found


def _document(token: str, field: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        document = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError):
        raise foreign_token(field) from None
    if not isinstance(document, dict):
        raise foreign_token(field)
    return document


def foreign_token(field: str = "next_token") -> ApiError:
    """The 400 of a token this API did not make (or a position it would not have made)."""
    message = f"{field} is not one this API gave; start again without it"
    return ApiError(400, "invalid_next_token", message, field=field)
