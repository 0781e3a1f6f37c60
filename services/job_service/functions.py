"""The job service's Lambda entry points beside its REST API (`app.app`).

template.yaml names them `job_service.functions.relay`, `.consume` and `.tick`. The service is
built on the first invocation in an execution environment (a cold start), once; nothing is
built at import (backbone/entry_points.py).
"""

from __future__ import annotations

import os

from backbone.entry_points import EntryPoints
from job_service.bootstrap import JobService, JobServiceSettings, bootstrap


def _build() -> JobService:
    return bootstrap(JobServiceSettings.from_env(os.environ))


entry_points: EntryPoints[JobService] = EntryPoints(_build, namespace="job-service")
service = entry_points.service
relay = entry_points.relay
consume = entry_points.consume
tick = entry_points.tick
