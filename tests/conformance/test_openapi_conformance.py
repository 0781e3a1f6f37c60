"""Each service's API against its own OpenAPI document (schemathesis), in process.

For every operation of `services/*/openapi.json`, schemathesis generates requests that fit the
document (positive) and requests that break it (negative), and they go to the service's Chalice
app through chalice.test.Client (`tests/conformance/wsgi.py`), on the in-memory store. Every
answer must:

- not be a 5xx, and match the document (status code, content type, headers, body schema);
- for a request that breaks the document, be a 4xx (schemathesis's negative_data_rejection);
- for a request that fits it, not be a 4xx, unless the refusal is one of STATE_RULES (what
  exists: an id no one made, a name taken; a tenant's terms) or CROSS_FIELD_RULES (a rule
  between fields, or between the body and the path, that no schema states), each with its
  reason: any other 4xx means the document is looser than the server, and fails the test;
- for every 4xx, be the JSON error envelope `{"error": {"code", "message", "field"}}`, and leave
  the service's event store as it was (its notification count unchanged): a refused request
  stores nothing.

A whole number the generator writes with a fraction (1.0) is sent as 1: JSON Schema's integer
takes 1.0, the services (strict, like their type hints) take only 1, and no schema can say so.

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
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core import NotSet
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
STATE_RULES: Final[dict[tuple[int, str], str]] = {
    (404, "*"): "an id, name or key the generator made up is one no one created",
    (409, "profile_exists"): "the generator sends one name twice",
    (409, "tenant_exists"): "the generator sends one name twice",
    (409, "illegal_transition"): "the job has ended",
    (403, "not_allowed"): "the tenant's terms refuse the job",
    (429, "over_quota"): "the tenant's max_queued is reached",
    (422, "idempotency_key_reused"): "the generator sends one key with two bodies",
    (400, "invalid_next_token"): "a next_token is opaque: only one the API gave is valid",
    (400, "tenant_error"): "a tenant holds at most 10 keys; a new one waits for a revoke",
}
"""(status, error code) of the refusals that depend on what is stored; "*": any code."""
CROSS_FIELD_RULES: Final[dict[tuple[int, str, str], str]] = {
    (400, "priority_not_allowed", "priority"): "priority_class (or priority) within allowed",
    (400, "invalid_request", "priority_class"): "priority_class within allowed_priorities",
    (400, "invalid_request", "parameters"): "a profile types exactly its template's placeholders",
    (400, "invalid_request", "parameters."): "a parameter type's options fit its type",
    (400, "invalid_request", "step_template"): "a placeholder may not choose the program",
    (400, "invalid_parameter", "parameters."): "a job's parameters fit its profile's types",
    (400, "missing_parameter", "parameters"): "a job sends every placeholder of its profile",
    (400, "unknown_parameter", "parameters"): "a job sends only its profile's placeholders",
    (400, "invalid_request", "name"): "a PUT body's name is the path's (or left out)",
    (400, "invalid_thresholds", "minimum"): "minimum at most maximum",
    (400, "invalid_thresholds", "maximum"): "minimum at most maximum",
    (400, "invalid_thresholds", "pool.minimum"): "minimum at most maximum",
    (400, "invalid_schedule", "minimum."): "a schedule's value at most the pool's maximum",
    (400, "invalid_schedule", "rules"): "a rule's value at most the pool's maximum",
    (400, "invalid_schedule", "time_zone"): "IANA zone names are data, not a pattern",
    (400, "invalid_request", "rules."): "a rule's to_hour after its from_hour",
    (400, "invalid_cluster_profile", "task_instance_type"): "task instances need a type",
    (400, "invalid_cluster_profile", "applications"): "each application once",
    (400, "invalid_request", "to"): "to not before from",
    (400, "invalid_request", "as_of"): "as_of not after the service's clock",
}
"""(status, error code, field or field prefix ending in ".") of the refusals of a request that
fits its document, by a rule between values."""
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
                managing = path.startswith("/tenants") or (
                    path.startswith("/job-profiles") and method != "GET"
                )
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
        # a query parameter without a name never reaches the app (Chalice and API Gateway
        # drop it), so a case whose only fault it is cannot be refused
        assume("" not in (case.query or {}))
        before = served.stored()
        if mode is GenerationMode.POSITIVE and not isinstance(case.body, NotSet):
            case.body = whole_numbers(case.body)
        response = case.call(headers=key)
        case.validate_response(response, headers=key, excluded_checks=[positive_data_acceptance])
        if 400 <= response.status_code < 500:
            body = json.loads(response.content)
            assert set(body) == {"error"}, body
            assert {"code", "message", "field"} <= set(body["error"]), body
            assert served.stored() == before, f"a {response.status_code} stored events"
            if mode is GenerationMode.POSITIVE:
                assert stated_elsewhere(response.status_code, body["error"]), (
                    f"{operation.label} refused a request its document allows: {body}; "
                    f"body {case.body!r}, query {case.query!r}, path {case.path_parameters!r}"
                )

    try:
        check()
    except Unsatisfiable:
        if mode is not GenerationMode.NEGATIVE:
            raise
        # nothing of the operation can be broken (no parameter, no body): no negative case


def whole_numbers(value: Any) -> Any:
    """`value` with every float that is a whole number (1.0) made an int (1)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [whole_numbers(v) for v in value]
    return value


def stated_elsewhere(status: int, error: dict[str, Any]) -> bool:
    """Whether a refusal of a request that fits the document is one of the rules a schema
    cannot state (STATE_RULES, CROSS_FIELD_RULES)."""
    code, field = error["code"], error.get("field") or ""
    if (status, "*") in STATE_RULES or (status, code) in STATE_RULES:
        return True
    return any(
        (status, code) == (rule_status, rule_code)
        and (field == rule_field or (rule_field.endswith(".") and field.startswith(rule_field)))
        for rule_status, rule_code, rule_field in CROSS_FIELD_RULES
    )


@pytest.mark.parametrize("service", ["job", "cluster", "monitor"])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_as_its_document_says(service: str, mode: GenerationMode) -> None:
    with serving(service) as served:
        schema = schemathesis.openapi.from_wsgi("/openapi.json", served.app)
        for result in schema.get_all_operations():
            operation = result.ok()
            check_operation(served, operation, mode)
