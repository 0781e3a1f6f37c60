"""The operators' API's error answers: one status per error class a client can cause, and a
hint of what to do next (backbone.http.errors renders them; an error's `field` names the
request field).

| status | errors |
|---|---|
| 400 | invalid_request / malformed_json (pydantic), InvalidThresholds, InvalidSchedule, |
|     | InvalidClusterProfile |
| 401 | unauthorized (backbone.http.identity) |
| 404 | ProfileNotFound, ClusterNotFound |
| 409 | ProfileExists, Conflict |
| 413 | body_too_large |
| 405, 415 | Chalice's own answers, rewritten into the same body |
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from backbone.http.errors import ErrorMap
from cluster_service.application import Conflict, NotFound, ProfileExists
from cluster_service.domain.errors import (
    InvalidClusterProfile,
    InvalidSchedule,
    InvalidThresholds,
)

STATUS: Final[Mapping[type[Exception], int]] = {
    NotFound: 404,
    ProfileExists: 409,
    Conflict: 409,
    InvalidThresholds: 400,
    InvalidSchedule: 400,
    InvalidClusterProfile: 400,
}
"""Each error class a client can cause, by its status (subclasses share their base's)."""

_HINTS: Final[Mapping[type[Exception], str]] = {
    NotFound: "GET /cluster-profiles lists the cluster profiles",
    ProfileExists: "GET /cluster-profiles/{name} shows it",
    Conflict: "another request changed it at the same time; send the request again",
}

ERRORS: Final = ErrorMap(STATUS, _HINTS)
