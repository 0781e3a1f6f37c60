"""No 5xx for anything an operator can send, and nothing stored for a 4xx (hypothesis)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.cluster_service.api_support import KEY, ApiWorld, profile_body

FUZZ = settings(max_examples=100, deadline=None)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
numbers = st.integers(min_value=-5, max_value=10) | st.integers() | json_values
threshold_bodies = st.dictionaries(
    st.sampled_from(["minimum", "maximum", "idle_ttl_seconds", "x"]), numbers, max_size=4
)
profile_fields = st.dictionaries(
    st.sampled_from(sorted(profile_body())) | st.text(max_size=6),
    json_values | numbers,
    max_size=3,
)
raw_bodies = st.binary(max_size=64) | json_values.map(lambda v: json.dumps(v).encode())
path_names = st.sampled_from(["spark-small"]) | st.text(
    st.characters(blacklist_characters="/?#%", blacklist_categories=["Cs"]),
    min_size=1,
    max_size=20,
)


@pytest.fixture(scope="module")
def world() -> Iterator[ApiWorld]:
    with ApiWorld() as world:
        world.create_profile()
        yield world


def send(world: ApiWorld, method: str, path: str, body: Any) -> None:
    """Send; then assert no 5xx, and for a 4xx an error body and an unchanged store."""
    before = world.stored()
    pool = world.request("GET", "/pools/spark-small").body
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"x-api-key": KEY, "content-type": "application/json"}
    answer = world.client.http.request(method, path, headers=headers, body=raw)
    assert answer.status_code < 500, answer.body
    if answer.status_code >= 400:
        assert set(json.loads(answer.body)["error"]) >= {"code", "message", "field"}
        assert world.stored() == before
        assert world.request("GET", "/pools/spark-small").body == pool


@FUZZ
@given(name=path_names, body=threshold_bodies | raw_bodies)
def test_put_pool_never_fails(world: ApiWorld, name: str, body: Any) -> None:
    send(world, "PUT", f"/pools/{quote(name, safe='')}", body)


@FUZZ
@given(changes=profile_fields, raw=raw_bodies, use_raw=st.booleans())
def test_post_profile_never_fails(
    world: ApiWorld, changes: dict[str, Any], raw: bytes, use_raw: bool
) -> None:
    body: Any = raw if use_raw else profile_body(name="fuzzed") | changes
    send(world, "POST", "/cluster-profiles", body)


@FUZZ
@given(
    query=st.dictionaries(st.sampled_from(["profile", "state", "x"]), st.text(max_size=12)),
    name=path_names,
)
def test_reads_never_fail(world: ApiWorld, query: dict[str, str], name: str) -> None:
    encoded = "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in query.items())
    send(world, "GET", f"/clusters?{encoded}", b"")
    for path in ("/pools/", "/cluster-profiles/"):
        send(world, "GET", path + quote(name, safe=""), b"")
