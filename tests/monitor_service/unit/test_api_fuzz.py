"""No 5xx for anything a client can send, and reads never write (hypothesis).

Random query strings (known parameters with random values, near-valid times and tokens, unknown
parameters), random Accept and X-Api-Key headers and random path names go to every route
through chalice.test.Client, on a monitor that holds a little of everything.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from tests.monitor_service.api_support import KEY, ApiWorld, busy_world

FUZZ = settings(max_examples=150, deadline=None)

times = st.sampled_from(
    [
        "2024-01-01T00:20:00Z",
        "2024-01-01",
        "2024-01-01T00:10:00+14:00",
        "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00",
        "1970-01-01T00:00:00-00:01",
        "2024-02-30",
        "now",
        "1700000000",
        "5000-01-01T00:00:00Z",
        "1970-01-01T00:00:00Z",
    ]
) | st.datetimes().map(lambda moment: moment.isoformat())
words = st.text(max_size=16) | st.sampled_from(
    ["", " ", "JobSubmitted", "EMR Step Status Change", "acme", "\x00", "é", "%", "-1", "0", "1e3"]
)
values = {
    "as_of": times | words,
    "from": times | words,
    "to": times | words,
    "type": words,
    "job_id": words,
    "tenant": words,
    "limit": st.integers(-5, 2000).map(str) | words,
    "next_token": words | st.just("eyJ2IjoxLCJwIjoiMTow"),
    "format": st.sampled_from(["json", "prometheus", "JSON", ""]) | words,
    "x": words,
}
latin1 = st.characters(codec="latin-1")
headers = st.fixed_dictionaries(
    {
        "x-api-key": st.one_of(
            st.just(KEY),
            st.just(KEY),
            st.just(KEY),
            st.just(KEY),
            st.sampled_from(["", "not-a-key"]),
            st.text(latin1, max_size=20),
        )
    },
    optional={
        "accept": st.sampled_from(["text/plain", "application/json;q=0", "*/*;q=x", "a/b, c"])
        | st.text(latin1, max_size=40),
        "if-none-match": st.text(latin1, max_size=40),
    },
)
path_names = st.text(
    st.characters(blacklist_characters="/?#%", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=20,
)


@pytest.fixture(scope="module")
def world() -> Iterator[ApiWorld]:
    monitor, _ = busy_world(jobs=20, until=1800)
    with ApiWorld(monitor) as world:
        yield world


def query_string(draw: st.DrawFn, names: list[str]) -> str:
    chosen = draw(st.lists(st.sampled_from(names), max_size=4))
    return "&".join(f"{quote(name)}={quote(draw(values[name]), safe='')}" for name in chosen)


def send(world: ApiWorld, route: str, path: str, sent: dict[str, str]) -> None:
    """GET `path` (of `route`); then assert no 5xx, an error body for a 4xx, and an unchanged
    store."""
    before = world.world.app.recorder.max_notification_id()
    reply = world.get(path, key=None, headers=sent)
    event(f"{route} {reply.status}")
    assert reply.status < 500, reply.text
    if reply.status >= 400:
        assert set(json.loads(reply.text)["error"]) >= {"code", "message", "field"}
    assert world.world.app.recorder.max_notification_id() == before


@FUZZ
@given(data=st.data(), sent=headers)
def test_reading_metrics_and_health_never_fails(
    world: ApiWorld, data: st.DataObject, sent: dict[str, str]
) -> None:
    route = data.draw(st.sampled_from(["/metrics", "/health"]))
    query = query_string(data.draw, ["as_of", "format", "x"])
    send(world, route, f"{route}?{query}", sent)


@FUZZ
@given(data=st.data(), sent=headers)
def test_reading_the_audit_log_never_fails(
    world: ApiWorld, data: st.DataObject, sent: dict[str, str]
) -> None:
    names = ["from", "to", "type", "job_id", "tenant", "limit", "next_token", "as_of", "x"]
    send(world, "/audit/events", f"/audit/events?{query_string(data.draw, names)}", sent)


@FUZZ
@given(job_id=path_names, data=st.data(), sent=headers)
def test_reading_a_timeline_never_fails(
    world: ApiWorld, job_id: str, data: st.DataObject, sent: dict[str, str]
) -> None:
    query = query_string(data.draw, ["as_of", "x"])
    send(world, "/audit/jobs/{job_id}", f"/audit/jobs/{quote(job_id, safe='')}?{query}", sent)


@FUZZ
@given(name=path_names | st.sampled_from(["dashboard.js", "chart.umd.min.js"]), sent=headers)
def test_the_dashboard_never_fails(world: ApiWorld, name: str, sent: dict[str, str]) -> None:
    send(world, "/dashboard/assets/{name}", f"/dashboard/assets/{quote(name, safe='')}", sent)
    send(world, "/dashboard", "/dashboard", sent)
