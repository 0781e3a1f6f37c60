"""Who is calling: the operator of a request, from the API's authorizer or an API key.

On AWS an authorizer in front of the API names the operator in the request context: a Lambda
authorizer of a REST API as `authorizer.principalId` (or `operator_id`), of an HTTP API as
`authorizer.lambda.operator_id`, a Cognito user pool as the claim `sub` (`authorizer.claims`).
A request that carries an authorizer context is judged by it alone. Without one (local runs),
the X-Api-Key header must hold a key of OPERATOR_API_KEYS.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from typing import Any, Final

from cluster_service.api.errors import ApiError

API_KEY_HEADER: Final = "X-Api-Key"
_OPERATOR_ID: Final = re.compile(r"[!-~]{1,256}")
_CLAIMS: Final = ("operator_id", "principalId", "sub")


def operator_of(
    context: Mapping[str, Any], headers: Mapping[str, str], keys: Mapping[str, str]
) -> str:
    """The calling operator; ApiError 401 if the request does not prove one."""
    authorizer = context.get("authorizer")
    if isinstance(authorizer, Mapping) and authorizer:
        return _from_authorizer(authorizer)
    key = headers.get(API_KEY_HEADER.lower()) or headers.get(API_KEY_HEADER)
    if not key:
        raise _unauthorized(f"send an operator API key in the {API_KEY_HEADER} header")
    operator = _operator_for_key(key, keys)
    if operator is None:
        raise _unauthorized(f"the {API_KEY_HEADER} header holds no known API key")
    return operator


def _from_authorizer(authorizer: Mapping[str, Any]) -> str:
    for scope in (authorizer, authorizer.get("lambda"), authorizer.get("claims")):
        if not isinstance(scope, Mapping):
            continue
        for name in _CLAIMS:
            operator = scope.get(name)
            if isinstance(operator, str) and _OPERATOR_ID.fullmatch(operator):
                return operator
    raise _unauthorized("the authorizer named no usable operator for this request", None)


def _operator_for_key(key: str, keys: Mapping[str, str]) -> str | None:
    """The operator whose key equals `key`, comparing every key in constant time."""
    found = None
    given = key.encode("utf-8", "surrogateescape")
    for known, operator in keys.items():
        if hmac.compare_digest(given, known.encode("utf-8")):
            found = operator
    return found


def _unauthorized(message: str, field: str | None = API_KEY_HEADER) -> ApiError:
    return ApiError(401, "unauthorized", message, field=field)
