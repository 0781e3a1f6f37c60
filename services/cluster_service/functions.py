"""The cluster service's Lambda entry points beside its REST API (`app.app`).

template.yaml names them `cluster_service.functions.relay`, `.consume`, `.tick` and
`.authorize`. The service is built on the first invocation in an execution environment (a cold
start), once; nothing is built at import (backbone/entry_points.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from backbone.entry_points import EntryPoints
from backbone.http.authorizer import OperatorKeyAuthorizer
from cluster_service.bootstrap import ClusterService, ClusterServiceSettings, bootstrap


def _build() -> ClusterService:
    return bootstrap(ClusterServiceSettings.from_env(os.environ))


entry_points: EntryPoints[ClusterService] = EntryPoints(_build, namespace="cluster-service")
service = entry_points.service
relay = entry_points.relay
consume = entry_points.consume
tick = entry_points.tick
_authorizer = OperatorKeyAuthorizer()


def authorize(event: Mapping[str, Any], context: object = None) -> dict[str, Any]:
    """The API's REQUEST authorizer: the operator whose key is in X-Api-Key, else a 401."""
    return _authorizer(event)
