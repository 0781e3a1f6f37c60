"""Who is calling: the tenant of a request, from the API's authorizer or an API key.

On AWS an authorizer in front of the API names the tenant in the request context: a Lambda
authorizer of a REST API as `authorizer.tenant_id`, of an HTTP API as
`authorizer.lambda.tenant_id`, a Cognito user pool as the claim `tenant_id` or
`custom:tenant_id` (`authorizer.claims`). A request that carries an authorizer context is
judged by it alone. Without one (local runs), the X-Api-Key header must hold a key of
TENANT_API_KEYS.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from typing import Any, Final

from job_service.api.errors import ApiError

API_KEY_HEADER: Final = "X-Api-Key"
_TENANT_ID: Final = re.compile(r"[!-~]{1,256}")
_CLAIMS: Final = ("tenant_id", "custom:tenant_id")


def tenant_of(
    context: Mapping[str, Any], headers: Mapping[str, str], keys: Mapping[str, str]
) -> str:
    """The caller's tenant id; ApiError 401 if the request does not prove one."""
    authorizer = context.get("authorizer")
    if isinstance(authorizer, Mapping) and authorizer:
        return _from_authorizer(authorizer)
    key = headers.get(API_KEY_HEADER.lower()) or headers.get(API_KEY_HEADER)
    if not key:
        raise _unauthorized(f"send your tenant's API key in the {API_KEY_HEADER} header")
    tenant = _tenant_for_key(key, keys)
    if tenant is None:
        raise _unauthorized(f"the {API_KEY_HEADER} header holds no known API key")
    return tenant


def _from_authorizer(authorizer: Mapping[str, Any]) -> str:
    for scope in (authorizer, authorizer.get("lambda"), authorizer.get("claims")):
        if not isinstance(scope, Mapping):
            continue
        for name in _CLAIMS:
            tenant = scope.get(name)
            if isinstance(tenant, str) and _TENANT_ID.fullmatch(tenant):
                return tenant
    raise _unauthorized("the authorizer named no usable tenant_id for this request", None)


def _tenant_for_key(key: str, keys: Mapping[str, str]) -> str | None:
    """The tenant whose key equals `key`, comparing every key in constant time."""
    found = None
    given = key.encode("utf-8", "surrogateescape")
    for known, tenant in keys.items():
        if hmac.compare_digest(given, known.encode("utf-8")):
            found = tenant
    return found


def _unauthorized(message: str, field: str | None = API_KEY_HEADER) -> ApiError:
    return ApiError(401, "unauthorized", message, field=field)
