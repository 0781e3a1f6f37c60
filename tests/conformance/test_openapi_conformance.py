"""Each service's API against its own OpenAPI document (schemathesis), in process.

For every operation of `services/*/openapi.json`, schemathesis generates requests that fit the
document (positive) and requests that break it (negative), and they go to the service's Chalice
app through chalice.test.Client (`tests/conformance/wsgi.py`), on the in-memory store. Every
answer must:

- not be a 5xx, and match the document (status code, content type, headers, body schema);
- for a request that breaks the document, be a 4xx (schemathesis's negative_data_rejection);
  a request that fits it may still be refused with a 4xx (positive_data_acceptance is left
  out): an opaque next_token the API did not give, parameters that are not the profile's
  placeholders, limits that contradict each other are rules no schema states;
- for every 4xx, be the JSON error envelope `{"error": {"code", "message", "field"}}`, and leave
  the service's event store as it was (its notification count unchanged): a refused request
  stores nothing.

Settings: a fixed number of examples per operation and mode (EXAMPLES), derandomized (the same
requests every run, so a failure comes back), no shrinking deadline, only the generate phase
(no database of past failures to replay); about 20 s for the three services on this machine.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.cluster_service.api_support import KEY as CLUSTER_KEY
from tests.cluster_service.api_support import ApiWorld as ClusterWorld
from tests.conformance.wsgi import wsgi_app
from tests.job_service.api_support import KEY as TENANT_KEY
from tests.job_service.api_support import OPERATOR_KEY
from tests.job_service.api_support import ApiWorld as JobWorld
from tests.monitor_service.api_support import KEY as MONITOR_KEY
from tests.monitor_service.api_support import ApiWorld as MonitorWorld

EXAMPLES: Final = 25
CONFORMANCE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@dataclass(frozen=True)
class Served:
    """A service's app as WSGI, its store's notification count, and the key a route needs."""

    app: Any
    stored: Callable[[], int]
    key_for: Callable[[str, str], str]


@contextmanager
def serving(name: str) -> Iterator[Served]:
    if name == "job":
        with JobWorld() as job:
            job.create_profile()

            def job_key(method: str, path: str) -> str:
                managing = path.startswith("/job-profiles") and method != "GET"
                return OPERATOR_KEY if managing else TENANT_KEY

            yield Served(wsgi_app(job.client), job.stored, job_key)
    elif name == "cluster":
        with ClusterWorld() as cluster:
            yield _one_key(cluster.client, cluster.service.app.recorder, CLUSTER_KEY)
    else:
        with MonitorWorld() as monitor:
            yield _one_key(monitor.client, monitor.world.app.recorder, MONITOR_KEY)


def _one_key(client: Any, recorder: Any, key: str) -> Served:
    """An operators' API: one key for every route."""
    return Served(
        wsgi_app(client), lambda: recorder.max_notification_id() or 0, lambda method, path: key
    )


def check_operation(served: Served, operation: Any, mode: GenerationMode) -> None:
    key = {"X-Api-Key": served.key_for(operation.method.upper(), operation.path)}

    @CONFORMANCE
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        before = served.stored()
        response = case.call(headers=key)
        case.validate_response(response, headers=key, excluded_checks=[positive_data_acceptance])
        if 400 <= response.status_code < 500:
            body = json.loads(response.content)
            assert set(body) == {"error"}, body
            assert {"code", "message", "field"} <= set(body["error"]), body
            assert served.stored() == before, f"a {response.status_code} stored events"

    try:
        check()
    except Unsatisfiable:
        if mode is not GenerationMode.NEGATIVE:
            raise
        # nothing of the operation can be broken (no parameter, no body): no negative case


@pytest.mark.parametrize("service", ["job", "cluster", "monitor"])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_as_its_document_says(service: str, mode: GenerationMode) -> None:
    with serving(service) as served:
        schema = schemathesis.openapi.from_wsgi("/openapi.json", served.app)
        for result in schema.get_all_operations():
            operation = result.ok()
            check_operation(served, operation, mode)
