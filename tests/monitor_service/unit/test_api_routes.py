"""The monitor's JSON API: health, metrics (JSON and Prometheus), the audit log, a job's timeline,
each now and as of a past time, behind the operator's key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from chalice.test import Client

from monitor_service.api.views import AuditPageView, HealthView, JobTimelineView, MetricsView
from monitor_service.app import api, app
from tests.backbone.unreachable import unreachable_store
from tests.monitor_service import support as s
from tests.monitor_service.api_support import ApiWorld, busy_world

JOB_EVENTS = [
    s.submitted("j-1", 0, tenant="acme", priority="high"),
    s.requested("c-1", 1),
    s.ready("c-1", 300),
    s.allocated("j-1", 301, tenant="acme"),
    s.started("j-1", 303, tenant="acme"),
    s.submitted("j-2", 400, tenant="globex"),
    s.succeeded("j-1", 900, tenant="acme"),
]


def when(seconds: float) -> str:
    """T0 + seconds as a query value (ISO 8601, its '+' escaped)."""
    return quote(s.at(seconds).isoformat())


@pytest.fixture
def world() -> Iterator[ApiWorld]:
    with ApiWorld() as world:
        world.world.deliver_all(
            [(e.occurred_at.timestamp() - s.T0.timestamp(), e) for e in JOB_EVENTS]
        )
        world.world.set(1000)
        yield world


@pytest.fixture(scope="module")
def busy() -> Iterator[ApiWorld]:
    monitor, _ = busy_world(jobs=40, until=2400)
    with ApiWorld(monitor) as world:
        yield world


def test_every_json_answer_validates_against_its_documented_view(busy: ApiWorld) -> None:
    HealthView.model_validate(busy.get("/health").body)
    MetricsView.model_validate(busy.get("/metrics").body)
    page = AuditPageView.model_validate(busy.get("/audit/events?limit=50").body)
    job_id = next(e.job_id for e in page.events if e.job_id)
    JobTimelineView.model_validate(busy.get(f"/audit/jobs/{job_id}").body)


def test_health_shows_each_service_and_cluster(world: ApiWorld) -> None:
    world.world.deliver(s.heartbeat("job-service", 990, 1))
    body = world.get("/health").body
    assert body["at"] == s.at(1000).isoformat()
    job_service = next(x for x in body["services"] if x["service"] == "job-service")
    assert (job_service["state"], job_service["heartbeat_age_seconds"]) == ("healthy", 10.0)
    assert [(c["cluster_id"], c["phase"]) for c in body["clusters"]] == [("c-1", "ready")]


def test_metrics_are_json_by_default(world: ApiWorld) -> None:
    reply = world.get("/metrics")
    queued = {(r["profile"], r["tenant"]): r["value"] for r in reply.body["queue_depth"]}
    assert queued == {("small", "acme"): 0, ("small", "globex"): 1}
    assert reply.headers["vary"] == "Accept"


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/metrics?format=prometheus", "application/json"),
        ("/metrics", "text/plain"),
        ("/metrics", "application/openmetrics-text;version=1.0.0,text/plain;q=0.5,*/*;q=0.1"),
        ("/metrics", "application/json;q=0.4, text/*;q=0.9"),
    ],
)
def test_metrics_in_the_prometheus_text_format_when_asked(
    world: ApiWorld, path: str, accept: str
) -> None:
    reply = world.get(path, headers={"accept": accept})
    assert reply.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    lines = reply.text.splitlines()
    assert 'emrcp_queue_depth{profile="small",priority="normal",tenant="globex"} 1' in lines


@pytest.mark.parametrize("accept", ["text/plain", "image/png"])
def test_format_json_wins_over_accept_and_json_is_the_fallback(
    world: ApiWorld, accept: str
) -> None:
    path = "/metrics?format=json" if accept == "text/plain" else "/metrics"
    assert "queue_depth" in world.get(path, headers={"accept": accept}).body


def test_as_of_answers_from_what_was_recorded_by_then(world: ApiWorld) -> None:
    # Given j-2 was recorded at 400 s: as of 350 s it is unknown, as of 450 s it waits
    before = world.get(f"/metrics?as_of={when(350)}").body
    after = world.get("/metrics?as_of=" + s.at(450).isoformat().replace("+00:00", "Z")).body
    assert before["at"] == s.at(350).isoformat()
    assert {r["tenant"] for r in before["queue_depth"]} == {"acme"}
    assert {r["tenant"]: r["value"] for r in after["queue_depth"]} == {"acme": 0, "globex": 1}
    health = world.get(f"/health?as_of={when(200)}").body
    assert [c["phase"] for c in health["clusters"]] == ["requested"]
    timeline = world.get(f"/audit/jobs/j-1?as_of={when(302)}").body
    assert [e["detail_type"] for e in timeline["events"]] == ["JobSubmitted", "JobAllocated"]


def test_audit_events_filter_by_time_type_job_and_tenant(world: ApiWorld) -> None:
    def types(query: str) -> list[str]:
        return [e["detail_type"] for e in world.get(f"/audit/events?{query}").body["events"]]

    assert types("")[:3] == ["JobSubmitted", "ClusterRequested", "ClusterReady"]
    assert types(f"from={when(300)}&to={when(400)}") == [
        "ClusterReady",
        "JobAllocated",
        "JobStarted",
    ]
    assert types("type=JobSubmitted") == ["JobSubmitted", "JobSubmitted"]
    assert types("tenant=globex") == ["JobSubmitted"]
    assert types("job_id=j-1") == [
        "JobSubmitted",
        "JobAllocated",
        "JobStarted",
        "JobSucceeded",
    ]


def test_audit_events_come_a_page_at_a_time(world: ApiWorld) -> None:
    seen: list[str] = []
    path = "/audit/events?type=JobSubmitted&limit=1"
    reply = world.get(path)
    while True:
        seen += [e["job_id"] for e in reply.body["events"]]
        if reply.body["next_token"] is None:
            break
        reply = world.get(f"{path}&next_token={reply.body['next_token']}")
    assert seen == ["j-1", "j-2"]


def test_a_token_from_other_filters_is_refused(world: ApiWorld) -> None:
    token = world.get("/audit/events?type=JobSubmitted&limit=1").body["next_token"]
    reply = world.get(f"/audit/events?type=JobStarted&limit=1&next_token={token}")
    assert (reply.status, reply.error["field"], reply.error["code"]) == (
        400,
        "next_token",
        "invalid_next_token",
    )


def test_a_jobs_timeline_and_an_unknown_job(world: ApiWorld) -> None:
    body = world.get("/audit/jobs/j-1").body
    assert body["job_id"] == "j-1" and len(body["events"]) == 4
    missing = world.get("/audit/jobs/j-9")
    assert (missing.status, missing.error["code"], missing.error["field"]) == (
        404,
        "job_not_found",
        "job_id",
    )


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/metrics?as_of=yesterday", "as_of"),
        ("/metrics?as_of=2024-01-01T00:16:41Z", "as_of"),  # a second after the clock
        ("/audit/events?as_of=5000-01-01", "as_of"),
        ("/metrics?format=xml", "format"),
        ("/health?as_of=0001-01-01", "as_of"),
        ("/health?verbose=1", "verbose"),
        ("/audit/events?from=2024-01-01&from=2024-01-02", "from"),
        ("/audit/events?to=soon", "to"),
        ("/audit/events?from=2024-02-01&to=2024-01-01", "to"),
        ("/audit/events?limit=0", "limit"),
        ("/audit/events?limit=1001", "limit"),
        ("/audit/events?limit=ten", "limit"),
        ("/audit/events?type=", "type"),
        ("/audit/events?tenant=a%20b", "tenant"),
        ("/audit/events?next_token=garbage", "next_token"),
        ("/audit/jobs/j-1?as_of=later", "as_of"),
        ("/audit/jobs/" + "j" * 257, "job_id"),
    ],
)
def test_bad_query_values_are_a_400_naming_the_parameter(
    world: ApiWorld, path: str, field: str
) -> None:
    reply = world.get(path)
    assert (reply.status, reply.error["field"]) == (400, field), reply.body


@pytest.mark.parametrize("path", ["/health", "/metrics", "/audit/events", "/audit/jobs/j-1"])
@pytest.mark.parametrize("key", [None, "not-the-key"])
def test_the_json_api_needs_an_operator_key(world: ApiWorld, path: str, key: str | None) -> None:
    reply = world.get(path, key=key)
    assert (reply.status, reply.error["code"], reply.error["field"]) == (
        401,
        "unauthorized",
        "X-Api-Key",
    )


@pytest.mark.parametrize("key", [None, "not-the-key"])
def test_an_unknown_caller_is_a_401_even_when_the_service_cannot_be_built(
    monkeypatch: pytest.MonkeyPatch, key: str | None
) -> None:
    # Given a process whose event-store table is unreachable, nothing built yet
    unreachable_store(monkeypatch, "MONITOR_SERVICE_TABLE")
    monkeypatch.setenv("OPERATOR_API_KEYS", "key-of-the-operator")
    api.use(None)
    try:
        # When a request comes without a key, or with an unknown one
        headers = {} if key is None else {"x-api-key": key}
        answer = Client(app).http.get("/health", headers=headers)
        # Then it is a 401 (not the 500 of the build), and a known key meets the 500
        assert (answer.status_code, json.loads(answer.body)["error"]["code"]) == (
            401,
            "unauthorized",
        )
        known = Client(app).http.get("/health", headers={"x-api-key": "key-of-the-operator"})
        assert known.status_code == 500
    finally:
        api.use(None)


def _lambda_event(path: str, authorizer: dict[str, object]) -> dict[str, object]:
    """What API Gateway hands the function for GET `path` behind an authorizer."""
    return {
        "resource": path,
        "path": path,
        "httpMethod": "GET",
        "headers": {},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {"httpMethod": "GET", "resourcePath": path, "authorizer": authorizer},
        "body": None,
        "isBase64Encoded": False,
    }


@pytest.mark.parametrize(
    ("authorizer", "status"),
    [({"principalId": "ops-team"}, 200), ({"claims": {"sub": "u-1"}}, 200), ({"role": "x"}, 401)],
)
def test_on_aws_the_authorizer_alone_names_the_operator(
    world: ApiWorld, authorizer: dict[str, object], status: int
) -> None:
    answer = app(_lambda_event("/health", authorizer), None)
    assert answer["statusCode"] == status, answer
