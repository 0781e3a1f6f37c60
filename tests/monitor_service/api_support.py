"""The monitor's REST API through chalice.test.Client, on a World (in-memory store, virtual clock).

`ApiWorld` hands the Chalice app the World's monitor service and takes it back on `close`.
`busy_world` is a monitor that followed a small platform for a while: every read model has rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalice.test import Client

from bench.monitor_scenario import generate
from monitor_service.adapters import load_price_book
from monitor_service.api.runtime import Api
from monitor_service.api.settings import ApiSettings
from monitor_service.app import api, app
from monitor_service.domain import MonitorPolicy
from tests.monitor_service import support as s

KEY = "key-of-the-operator"
OPERATOR = "ops"


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    text: str
    headers: dict[str, str]

    @property
    def error(self) -> dict[str, Any]:
        """The error of a 4xx/5xx body (which always has this shape)."""
        assert set(self.body) == {"error"}, self.body
        error: dict[str, Any] = self.body["error"]
        assert {"code", "message", "field"} <= set(error), error
        return error


class ApiWorld:
    """One API process serving `world`'s monitor; `world.now` is its clock."""

    def __init__(self, world: s.World | None = None) -> None:
        self.world = world or s.World()
        api.use(Api(self.world.service, ApiSettings(api_keys={KEY: OPERATOR})))
        self.client = Client(app)

    def close(self) -> None:
        api.use(None)

    def __enter__(self) -> ApiWorld:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self, path: str, *, key: str | None = KEY, headers: dict[str, str] | None = None
    ) -> Reply:
        sent = ({"x-api-key": key} if key else {}) | (headers or {})
        answer = self.client.http.request("GET", path, headers=sent, body=b"")
        reply_headers = {name.lower(): value for name, value in answer.headers.items()}
        text = answer.body.decode("utf-8") if isinstance(answer.body, bytes) else answer.body
        is_json = reply_headers.get("content-type", "application/json").startswith(
            "application/json"
        )
        body = json.loads(text) if is_json and text else None
        return Reply(answer.status_code, body, text, reply_headers)


def busy_world(jobs: int = 60, seed: int = 5, until: float | None = None) -> tuple[s.World, float]:
    """A monitor (with the packaged prices) that saw the events of `jobs` jobs up to `until`
    seconds (all of them if None), ticking each minute; and the second it stopped at."""
    world = s.World(policy=MonitorPolicy(prices=load_price_book()))
    events = [(t, e) for t, e in generate(jobs=jobs, seed=seed) if until is None or t <= until]
    next_tick = 60.0
    for seconds, event in events:
        while next_tick <= seconds:
            world.set(next_tick)
            world.app.tick(world.now)
            next_tick += 60
        world.set(seconds + 0.5)
        world.deliver(event)
    end = events[-1][0] + 1
    world.set(end)
    return world, end
