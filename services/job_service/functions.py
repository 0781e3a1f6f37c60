"""The job service's Lambda entry points beside its REST API (`app.app`).

template.yaml names them `job_service.functions.relay`, `.consume`, `.tick` and `.authorize`
(the operators' authorizer of the profile-management routes). The service is built on the first
invocation in an execution environment (a cold start), once; nothing is built at import
(backbone/entry_points.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from backbone.entry_points import EntryPoints
from backbone.http.authorizer import OperatorKeyAuthorizer
from job_service.bootstrap import JobService, JobServiceSettings, bootstrap


def _build() -> JobService:
    return bootstrap(JobServiceSettings.from_env(os.environ))


entry_points: EntryPoints[JobService] = EntryPoints(_build, namespace="job-service")
service = entry_points.service
relay = entry_points.relay
consume = entry_points.consume
tick = entry_points.tick
_authorizer = OperatorKeyAuthorizer()


def authorize(event: Mapping[str, Any], context: object = None) -> dict[str, Any]:
    """The profile-management routes' REQUEST authorizer: the operator whose key is in
    X-Api-Key, else a 401."""
    return _authorizer(event)
