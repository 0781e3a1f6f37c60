"""No 5xx for anything a client can send, and nothing stored for a 4xx (hypothesis).

Random JSON (and non-JSON) bodies, near-valid bodies with random values, random headers and
random path names go to POST /jobs, /job-profiles and /job-profiles/{name} (and random query
strings to GET /jobs) through chalice.test.Client, on the in-memory store.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from tests.job_service.api_support import (
    KEY,
    OPERATOR_KEY,
    PROFILE,
    ApiWorld,
    job_body,
    profile_body,
)

FUZZ = settings(max_examples=200, deadline=None)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
words = st.text(max_size=12) | st.sampled_from(["", " ", "date", "{date}", "-x", "\x00", "é"])
priorities = st.sampled_from(["critical", "high", "normal", "low", "urgent"]) | json_values

job_fields = {
    "profile": st.just("missing") | words | json_values,
    "name": words | json_values,
    "parameters": st.dictionaries(st.sampled_from(["date", "x"]) | words, json_values, max_size=3)
    | json_values,
    "priority": priorities,
    "tenant_id": words,
}
profile_fields = {
    "name": st.sampled_from(["p-1", "p-2"]) | words,
    "job_type": st.sampled_from(["scoring", "mining"]) | json_values,
    "cluster_profile": words | json_values,
    "step_template": st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["command", "bash"]) | json_values,
            "args": st.lists(words, max_size=3) | json_values,
        }
    )
    | json_values,
    "priority_class": priorities,
    "allowed_priorities": st.lists(priorities, max_size=5) | json_values,
    "max_attempts": st.integers() | json_values,
    "timeout_seconds": st.integers() | json_values,
    "tenants": st.lists(st.sampled_from(["*", "tenant-1"]) | words, max_size=3) | json_values,
    "parameters": st.dictionaries(
        st.sampled_from(["date", "x"]) | words,
        st.fixed_dictionaries(
            {"type": st.sampled_from(["string", "integer", "date", "enum", "blob"]) | json_values}
        )
        | json_values,
        max_size=3,
    )
    | json_values,
    "owner": json_values,
}


@st.composite
def mutated(draw: st.DrawFn, valid: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """A body drawn from `valid`, with up to three fields replaced by random values or left out."""
    body = dict(draw(valid))
    for _ in range(draw(st.sampled_from([0, 0, 1, 2, 3]))):
        name = draw(st.sampled_from(sorted(fields)))
        if draw(st.booleans()):
            body.pop(name, None)
        else:
            body[name] = draw(fields[name])
    return body


job_bodies = mutated(st.just(job_body()), job_fields)
new_names = st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True)
profile_bodies = mutated(new_names.map(lambda name: profile_body(name=name)), profile_fields)
bodies = st.one_of(
    st.binary(max_size=64),
    json_values.map(lambda value: json.dumps(value).encode()),
)
header_values = st.text(st.characters(codec="latin-1"), max_size=40)
headers = (
    st.just({})
    | st.just({})
    | st.fixed_dictionaries(
        {},
        optional={
            "x-api-key": st.just(KEY) | st.just(KEY) | header_values,
            "content-type": st.sampled_from(
                ["application/json", "text/plain", "application/json; charset=utf-8"]
            )
            | header_values,
            "idempotency-key": st.sampled_from(["key-1", "key-2"]) | header_values,
            "x-anything": header_values,
        },
    )
)
path_names = st.text(
    st.characters(blacklist_characters="/?#%", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=20,
)


@pytest.fixture(scope="module")
def world() -> Iterator[ApiWorld]:
    with ApiWorld() as world:
        world.create_profile()
        yield world


def send(
    world: ApiWorld, method: str, path: str, body: Any, sent: dict[str, str], key: str = KEY
) -> None:
    """Send; then assert no 5xx, and for a 4xx an error body and an unchanged store."""
    before = world.stored()
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    base = {"x-api-key": key, "content-type": "application/json"}
    answer = world.client.http.request(method, path, headers=base | sent, body=raw)
    event(f"{method} {answer.status_code}")
    assert answer.status_code < 500, answer.body
    if answer.status_code >= 400:
        assert set(json.loads(answer.body)["error"]) >= {"code", "message", "field"}
        assert world.stored() == before


@FUZZ
@given(body=job_bodies | job_bodies | bodies, sent=headers)
def test_post_jobs_never_fails_on_what_a_client_sends(
    world: ApiWorld, body: Any, sent: Any
) -> None:
    send(world, "POST", "/jobs", body, sent)


@FUZZ
@given(body=profile_bodies | profile_bodies | bodies, sent=headers)
def test_post_job_profiles_never_fails(world: ApiWorld, body: Any, sent: Any) -> None:
    send(world, "POST", "/job-profiles", body, sent, OPERATOR_KEY)


@FUZZ
@given(
    method=st.sampled_from(["GET", "PUT"]),
    name=st.sampled_from([PROFILE]) | path_names,
    body=profile_bodies | bodies,
    sent=headers,
)
def test_job_profiles_by_name_never_fail(
    world: ApiWorld, method: str, name: str, body: Any, sent: Any
) -> None:
    send(world, method, f"/job-profiles/{quote(name, safe='')}", body, sent, OPERATOR_KEY)


@FUZZ
@given(
    query=st.dictionaries(
        st.sampled_from(["status", "profile", "limit", "next_token", "x"]), words, max_size=4
    ),
    job_id=path_names,
)
def test_reading_jobs_never_fails(world: ApiWorld, query: dict[str, str], job_id: str) -> None:
    encoded = "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in query.items())
    send(world, "GET", f"/jobs?{encoded}", b"", {})
    for method in ("GET", "DELETE"):
        send(world, method, f"/jobs/{quote(job_id, safe='')}", b"", {})
