"""next_token of GET /jobs: opaque to clients, base64url of a small JSON document.

It holds where the next page starts (the submission order of the last job shown) and the
filters it was made for; a token that does not decode, or comes with other filters, is a 400.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Final

from job_service.api.errors import ApiError

TOKEN_VERSION: Final = 1


def encode_token(before: int, status: str | None, profile: str | None) -> str:
    document = {"v": TOKEN_VERSION, "before": before, "status": status, "profile": profile}
    raw = json.dumps(document, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, status: str | None, profile: str | None) -> int:
    """Where the page of `token` starts; ApiError 400 unless it is one of ours for these filters."""
    document = _document(token)
    before = document.get("before")
    if (
        set(document) != {"v", "before", "status", "profile"}
        or document["v"] != TOKEN_VERSION
        or not isinstance(before, int)
        or isinstance(before, bool)
        or before < 1
    ):
        raise _bad_token("next_token is not one this API gave; start again without it")
    if (document["status"], document["profile"]) != (status, profile):
        raise _bad_token("next_token was given for other filters; send the same status and profile")
    return before


def _document(token: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        document = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError):
        raise _bad_token("next_token is not one this API gave; start again without it") from None
    if not isinstance(document, dict):
        raise _bad_token("next_token is not one this API gave; start again without it")
    return document


def _bad_token(message: str) -> ApiError:
    return ApiError(400, "invalid_next_token", message, field="next_token")
