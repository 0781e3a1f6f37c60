"""The operators' REST API: profiles, pools, clusters, authentication and client errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, get_args

import pytest
from chalice.test import Client

from backbone.http.errors import ApiError
from backbone.http.runtime import ApiHolder
from cluster_service.api.models import ClusterStateName
from cluster_service.api.openapi import document
from cluster_service.api.runtime import build_from_env, identity
from cluster_service.api.settings import ApiSettings
from cluster_service.app import api, app
from cluster_service.bootstrap import SettingsError
from cluster_service.domain.lifecycle import ClusterState
from tests.backbone.unreachable import unreachable_store
from tests.cluster_service.api_support import MEMORY, ApiWorld, profile_body


@pytest.fixture
def world() -> Iterator[ApiWorld]:
    with ApiWorld() as world:
        yield world


def test_a_profile_is_created_read_and_listed(world: ApiWorld) -> None:
    created = world.create_profile()
    assert created.headers["location"] == "/cluster-profiles/spark-small"
    profile = created.body["profile"]
    assert profile["applications"] == ["Hadoop", "Spark"] and profile["step_concurrency"] == 2
    assert created.body["pool"]["maximum"] == 3
    assert world.request("GET", "/cluster-profiles/spark-small").body == profile
    assert world.request("GET", "/cluster-profiles").body == {"profiles": [profile]}


def test_a_profile_name_is_taken_once(world: ApiWorld) -> None:
    world.create_profile()
    reply = world.request("POST", "/cluster-profiles", profile_body())
    assert (reply.status, reply.error["code"]) == (409, "profile_exists")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"release_label": "7.1"}, "release_label"),
        ({"idle_timeout_seconds": 5}, "idle_timeout_seconds"),
        ({"applications": []}, "applications"),
        ({"name": "Spark_Small"}, "name"),
        ({"core_instance_count": "2"}, "core_instance_count"),
        ({"pool": {"minimum": 4, "maximum": 3, "idle_ttl_seconds": 0}}, "pool.minimum"),
        ({"owner": "me"}, "owner"),
    ],
)
def test_a_refused_profile_names_its_field_and_stores_nothing(
    world: ApiWorld, overrides: dict[str, Any], field: str
) -> None:
    before = world.stored()
    reply = world.request("POST", "/cluster-profiles", profile_body(**overrides))
    assert (reply.status, reply.error["field"]) == (400, field), reply.body
    assert world.stored() == before
    assert world.request("GET", "/cluster-profiles").body == {"profiles": []}


def test_unknown_profiles_and_pools_are_404(world: ApiWorld) -> None:
    for path in ("/cluster-profiles/nope", "/pools/nope"):
        reply = world.request("GET", path)
        assert (reply.status, reply.error["code"]) == (404, "profile_not_found")
    reply = world.request("PUT", "/pools/nope", {"maximum": 2})
    assert reply.status == 404
    reply = world.request("GET", "/clusters?profile=nope")
    assert (reply.status, reply.error["field"]) == (404, "profile")


def test_pools_show_their_limits_and_clusters_by_state(world: ApiWorld) -> None:
    world.create_profile(pool={"minimum": 2, "maximum": 4, "idle_ttl_seconds": 600})
    pool = world.request("GET", "/pools/spark-small").body
    assert (pool["minimum"], pool["maximum"], pool["idle_ttl_seconds"]) == (2, 4, 600)
    assert pool["clusters_by_state"] == {"REQUESTED": 2}
    assert world.request("GET", "/pools").body == {"pools": [pool]}


def test_clusters_are_listed_and_filtered(world: ApiWorld) -> None:
    world.create_profile(pool={"minimum": 1, "maximum": 2, "idle_ttl_seconds": 600})
    world.create_profile(name="other", pool={"minimum": 1, "maximum": 1, "idle_ttl_seconds": 0})
    every = world.request("GET", "/clusters").body["clusters"]
    assert sorted(c["profile"] for c in every) == ["other", "spark-small"]
    mine = world.request("GET", "/clusters?profile=other").body["clusters"]
    assert [c["profile"] for c in mine] == ["other"]
    assert world.request("GET", "/clusters?state=READY").body == {"clusters": []}
    assert len(world.request("GET", "/clusters?state=REQUESTED").body["clusters"]) == 2
    reply = world.request("GET", "/clusters?state=SLEEPING")
    assert (reply.status, reply.error["field"]) == (400, "state")


def test_thresholds_change_only_the_fields_given(world: ApiWorld) -> None:
    world.create_profile()
    reply = world.request("PUT", "/pools/spark-small", {"maximum": 5})
    assert reply.status == 200, reply.body
    pool = reply.body
    assert (pool["minimum"], pool["maximum"], pool["idle_ttl_seconds"]) == (0, 5, 900)
    assert pool["changed_by"] == "api"
    reply = world.request(
        "PUT", "/pools/spark-small", {"minimum": 1, "maximum": 2, "idle_ttl_seconds": 60}
    )
    assert (reply.body["minimum"], reply.body["maximum"], reply.body["idle_ttl_seconds"]) == (
        1,
        2,
        60,
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"minimum": 4}, "minimum"),
        ({"maximum": 0}, "maximum"),
        ({"minimum": 3, "maximum": 2}, "minimum"),
        ({"minimum": -1}, "minimum"),
        ({"idle_ttl_seconds": -5}, "idle_ttl_seconds"),
        ({"maximum": "9"}, "maximum"),
        ({"maximum": 1.5}, "maximum"),
        ({"max": 9}, "max"),
    ],
)
def test_refused_thresholds_name_the_field_and_change_nothing(
    world: ApiWorld, body: dict[str, Any], field: str
) -> None:
    world.create_profile(pool={"minimum": 1, "maximum": 3, "idle_ttl_seconds": 900})
    before, stored = world.request("GET", "/pools/spark-small").body, world.stored()
    reply = world.request("PUT", "/pools/spark-small", body)
    assert 400 <= reply.status < 500 and reply.error["field"] == field, reply.body
    assert world.request("GET", "/pools/spark-small").body == before
    assert world.stored() == stored


def test_a_lowered_maximum_below_the_minimum_names_maximum(world: ApiWorld) -> None:
    world.create_profile(pool={"minimum": 2, "maximum": 3, "idle_ttl_seconds": 900})
    reply = world.request("PUT", "/pools/spark-small", {"maximum": 1})
    assert (reply.status, reply.error["field"]) == (400, "maximum")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/cluster-profiles"),
        ("POST", "/cluster-profiles"),
        ("GET", "/pools"),
        ("PUT", "/pools/small"),
        ("GET", "/clusters"),
        ("GET", "/pools/small"),
    ],
)
@pytest.mark.parametrize("key", [None, "wrong-key-1"])
def test_operators_must_authenticate(
    world: ApiWorld, method: str, path: str, key: str | None
) -> None:
    reply = world.request(method, path, profile_body(), key=key)
    assert (reply.status, reply.error["code"], reply.error["field"]) == (
        401,
        "unauthorized",
        "X-Api-Key",
    )


@pytest.mark.parametrize("key", [None, "wrong-key-1"])
def test_an_unknown_operator_is_a_401_even_when_the_service_cannot_be_built(
    monkeypatch: pytest.MonkeyPatch, key: str | None
) -> None:
    # Given a process whose event-store table is unreachable, nothing built yet
    unreachable_store(monkeypatch, "CLUSTER_SERVICE_TABLE")
    monkeypatch.setenv("OPERATOR_API_KEYS", "key-of-operator-1")
    api.use(None)
    try:
        # When a request comes without a key, or with an unknown one
        headers = {} if key is None else {"x-api-key": key}
        answer = Client(app).http.get("/pools", headers=headers)
        # Then it is a 401 (not the 500 of the build), and a known key meets the 500
        assert (answer.status_code, json.loads(answer.body)["error"]["code"]) == (
            401,
            "unauthorized",
        )
        known = Client(app).http.get("/pools", headers={"x-api-key": "key-of-operator-1"})
        assert known.status_code == 500
    finally:
        api.use(None)


def test_an_authorizer_context_names_the_operator(world: ApiWorld) -> None:
    def operator_of(context: dict[str, Any], headers: dict[str, str]) -> str:
        return identity(ApiSettings(api_keys={"key-1-of-x": "x"})).principal(context, headers)

    assert operator_of({"authorizer": {"principalId": "alice"}}, {}) == "alice"
    assert operator_of({"authorizer": {"claims": {"sub": "bob"}}}, {}) == "bob"
    with pytest.raises(ApiError, match="authorizer"):
        operator_of({"authorizer": {"other": 1}}, {"x-api-key": "key-1-of-x"})


def test_malformed_and_oversized_bodies(world: ApiWorld) -> None:
    reply = world.request("POST", "/cluster-profiles", b"{not json")
    assert (reply.status, reply.error["code"]) == (400, "malformed_json")
    reply = world.request("POST", "/cluster-profiles", b"[1]")
    assert reply.status == 400
    reply = world.request("POST", "/cluster-profiles", b"")
    assert (reply.status, reply.error["code"]) == (400, "missing_body")
    big = b'{"name": "' + b"a" * (256 * 1024) + b'"}'
    reply = world.request("POST", "/cluster-profiles", big)
    assert (reply.status, reply.error["code"]) == (413, "body_too_large")


def test_chalice_errors_use_the_same_body(world: ApiWorld) -> None:
    reply = world.request("DELETE", "/pools")
    assert reply.status == 405 and reply.error["code"]
    reply = world.request("POST", "/cluster-profiles", b"{}", headers={"content-type": "text/x"})
    assert reply.status == 415 and reply.error["code"]


def test_the_state_filter_takes_every_cluster_state() -> None:
    assert set(get_args(ClusterStateName)) == {str(state) for state in ClusterState}


def test_operator_keys_from_the_environment() -> None:
    assert ApiSettings.from_env({}).api_keys == {"local-operator-key": "operator"}
    assert ApiSettings.from_env({"OPERATOR_API_KEYS": ""}).api_keys == {}
    raw = "alice=key-of-alice, key-of-ops"
    assert ApiSettings.from_env({"OPERATOR_API_KEYS": raw}).api_keys == {
        "key-of-alice": "alice",
        "key-of-ops": "operator",
    }
    with pytest.raises(SettingsError):
        ApiSettings.from_env({"OPERATOR_API_KEYS": "short"})


def test_the_service_is_built_lazily_from_the_environment() -> None:
    built: list[int] = []

    def build() -> Any:
        built.append(1)
        return build_from_env({"PERSISTENCE_MODULE": MEMORY})

    holder = ApiHolder(build, lambda: identity(ApiSettings()))
    assert built == []
    first = holder.get()
    assert holder.get() is first and built == [1]
    assert first.settings.api_keys == {"local-operator-key": "operator"}
    assert first.service.app.list_pools() == []


def _shape(**overrides: Any) -> dict[str, Any]:
    body = profile_body(**overrides)
    return {key: value for key, value in body.items() if key not in ("name", "pool")}


def test_a_profile_update_shapes_the_clusters_started_after_it(world: ApiWorld) -> None:
    # Given a pool holding one cluster of two slots
    world.create_profile(pool={"minimum": 1, "maximum": 4, "idle_ttl_seconds": 600})
    # When the profile's shape changes to four slots and the pool then grows by one
    reply = world.request("PUT", "/cluster-profiles/spark-small", _shape(step_concurrency=4))
    assert reply.status == 200 and reply.body["step_concurrency"] == 4
    world.request("PUT", "/pools/spark-small", {"minimum": 2})
    # Then the cluster running keeps its two slots and the new one has four
    clusters = world.request("GET", "/clusters?profile=spark-small").body["clusters"]
    assert sorted(cluster["slots"] for cluster in clusters) == [2, 4]
    assert world.request("GET", "/cluster-profiles/spark-small").body == reply.body
    assert world.request("GET", "/pools/spark-small").body["slots_per_cluster"] == 4


def test_an_unchanged_profile_update_records_nothing(world: ApiWorld) -> None:
    world.create_profile()
    before = world.stored()
    reply = world.request("PUT", "/cluster-profiles/spark-small", _shape())
    assert reply.status == 200
    assert world.stored() == before


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (_shape(idle_timeout_seconds=5), 400, "idle_timeout_seconds"),
        (_shape(step_concurrency=0), 400, "step_concurrency"),
        (_shape() | {"name": "other"}, 400, "name"),
        (_shape() | {"pool": {"minimum": 0, "maximum": 1, "idle_ttl_seconds": 0}}, 400, "pool"),
        ({"release_label": "emr-7.1.0"}, 400, "applications"),
    ],
)
def test_a_refused_profile_update_names_its_field_and_changes_nothing(
    world: ApiWorld, body: dict[str, Any], status: int, field: str
) -> None:
    world.create_profile()
    before = world.stored(), world.request("GET", "/cluster-profiles/spark-small").body
    reply = world.request("PUT", "/cluster-profiles/spark-small", body)
    assert (reply.status, reply.error["field"]) == (status, field), reply.body
    after = world.stored(), world.request("GET", "/cluster-profiles/spark-small").body
    assert after == before


def test_an_unknown_profile_cannot_be_updated(world: ApiWorld) -> None:
    before = world.stored()
    reply = world.request("PUT", "/cluster-profiles/nope", _shape())
    assert (reply.status, reply.error["code"]) == (404, "profile_not_found")
    assert world.stored() == before


@pytest.mark.parametrize(
    ("path", "body", "field", "bound"),
    [
        ("/pools/spark-small", {"minimum": 10_000_000}, "minimum", "1000"),
        ("/pools/spark-small", {"maximum": 1001}, "maximum", "1000"),
        ("/pools/spark-small", {"idle_ttl_seconds": 604_801}, "idle_ttl_seconds", "604800"),
        (
            "/cluster-profiles/spark-small",
            profile_body(step_concurrency=257),
            "step_concurrency",
            "256",
        ),
        (
            "/cluster-profiles/spark-small",
            profile_body(core_instance_count=1001),
            "core_instance_count",
            "1000",
        ),
        (
            "/cluster-profiles/spark-small",
            profile_body(idle_timeout_seconds=59),
            "idle_timeout_seconds",
            "60",
        ),
    ],
)
def test_a_number_past_its_bound_is_a_400_naming_the_field_and_the_bound(
    world: ApiWorld, path: str, body: dict[str, Any], field: str, bound: str
) -> None:
    body = {k: v for k, v in body.items() if k not in ("name", "pool")}
    before = world.stored()
    reply = world.request("PUT", path, body)
    assert reply.status == 400, reply.body
    assert reply.error["field"] == field and bound in reply.error["message"]
    assert world.stored() == before


def test_the_document_states_every_bound() -> None:
    schemas = document()["components"]["schemas"]
    thresholds = schemas["ChangeThresholds"]["properties"]
    assert [thresholds[n]["anyOf"][0]["maximum"] for n in ("minimum", "maximum")] == [1000, 1000]
    assert thresholds["idle_ttl_seconds"]["anyOf"][0]["maximum"] == 604_800
    shape = schemas["ProfileShape"]["properties"]
    assert shape["step_concurrency"]["maximum"] == 256
    assert (shape["idle_timeout_seconds"]["minimum"], shape["idle_timeout_seconds"]["maximum"]) == (
        60,
        604_800,
    )
