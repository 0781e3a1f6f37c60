"""The OpenAPI 3.1 document of the operators' REST API, from its models and the route table below.

`python -m cluster_service.api.openapi` writes services/cluster_service/openapi.json; `--check`
exits 1 if that file is stale. GET /openapi.json serves the same document. ROUTES also names
the action serving each route: app.py serves exactly this table (register_routes).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from backbone.http.openapi import Description, Route, write_or_check
from backbone.http.openapi import document as build
from backbone.http.routes import document_route
from cluster_service.api import actions
from cluster_service.api.models import (
    ChangeThresholds,
    ClusterListQuery,
    CreateProfile,
    ProfileShape,
    SetSchedule,
)
from cluster_service.api.views import (
    ClusterList,
    PoolList,
    PoolView,
    ProfileCreated,
    ProfileList,
    ProfileView,
)
from cluster_service.domain.profiles import PROFILE_NAME_PATTERN

DOCUMENT_PATH: Final = Path(__file__).resolve().parent.parent / "openapi.json"


@functools.cache
def document() -> dict[str, Any]:
    """The OpenAPI document (built on first use, then kept)."""
    return build(DESCRIPTION)


_WRITE: Final = (400, 401, 413, 415)
ROUTES: Final = (
    document_route(document),
    Route(
        "GET",
        "/cluster-profiles",
        "List cluster profiles",
        200,
        ProfileList,
        action=actions.list_profiles,
    ),
    Route(
        "POST",
        "/cluster-profiles",
        "Register a cluster profile and its pool",
        201,
        ProfileCreated,
        (*_WRITE, 409),
        CreateProfile,
        action=actions.create_profile,
    ),
    Route(
        "GET",
        "/cluster-profiles/{name}",
        "Read a cluster profile",
        200,
        ProfileView,
        (401, 404),
        action=actions.get_profile,
    ),
    Route(
        "PUT",
        "/cluster-profiles/{name}",
        "Change a cluster profile's shape",
        200,
        ProfileView,
        (*_WRITE, 404, 409),
        ProfileShape,
        path_patterns=(("name", PROFILE_NAME_PATTERN.strip("^$")),),
        action=actions.update_profile,
    ),
    Route(
        "GET",
        "/clusters",
        "List clusters, oldest first",
        200,
        ClusterList,
        (400, 401, 404),
        query=ClusterListQuery,
        action=actions.list_clusters,
    ),
    Route("GET", "/pools", "List pools", 200, PoolList, action=actions.list_pools),
    Route(
        "GET", "/pools/{profile}", "Read a pool", 200, PoolView, (401, 404), action=actions.get_pool
    ),
    Route(
        "PUT",
        "/pools/{profile}",
        "Change a pool's thresholds",
        200,
        PoolView,
        (*_WRITE, 404, 409),
        ChangeThresholds,
        action=actions.change_thresholds,
    ),
    Route(
        "PUT",
        "/pools/{profile}/schedule",
        "Keep a MINIMUM schedule for a pool (per local hour of the week)",
        200,
        PoolView,
        (*_WRITE, 404, 409),
        SetSchedule,
        action=actions.set_schedule,
    ),
    Route(
        "DELETE",
        "/pools/{profile}/schedule",
        "Drop a pool's MINIMUM schedule",
        200,
        PoolView,
        (401, 404, 409),
        action=actions.clear_schedule,
    ),
)

_ERROR_TEXT: Final = {
    404: "No such cluster profile (or pool)",
    409: "The profile exists, or a concurrent change won; see error.code",
}
_DESCRIPTION: Final = (
    "Operators register cluster profiles, read pools and clusters, change pool thresholds "
    "(MAXIMUM 0 drains a pool) and keep a MINIMUM schedule per pool in an IANA time zone. "
    "Every 4xx and 5xx answer has the body ErrorBody. Locally the operator is the owner of the "
    "X-Api-Key; on AWS the API's authorizer names it."
)
DESCRIPTION: Final = Description(
    title="cluster-service",
    description=_DESCRIPTION,
    server_url="http://127.0.0.1:8002",
    routes=ROUTES,
    error_text=_ERROR_TEXT,
)


def main(argv: Sequence[str] | None = None) -> int:
    return write_or_check(argv, DOCUMENT_PATH, document, "cluster_service.api.openapi")


if __name__ == "__main__":
    sys.exit(main())
