"""The monitor API on its DynamoDB event store in the emulator (moto), with events it consumed."""

from __future__ import annotations

from typing import Any

import pytest

from local_runtime.emulator import Emulator
from monitor_service.adapters import load_price_book
from monitor_service.bootstrap import MonitorServiceSettings
from monitor_service.domain import MonitorPolicy
from tests.monitor_service import support as s
from tests.monitor_service.api_support import ApiWorld

pytestmark = pytest.mark.emulator

EVENTS = [
    s.event(
        "PoolThresholdsChanged",
        0,
        cluster_profile="small",
        minimum=1,
        maximum=3,
        idle_ttl_seconds=600,
    ),
    s.requested("c-1", 0),
    s.submitted("j-1", 10, tenant="acme", priority="critical"),
    s.heartbeat("job-service", 20, 1),
    s.ready("c-1", 300),
    s.allocated("j-1", 301, tenant="acme"),
    s.started("j-1", 303, tenant="acme"),
    s.heartbeat("job-service", 320, 2),
    s.succeeded("j-1", 600, tenant="acme"),
]


def _world(emulator: Emulator, table: str) -> s.World:
    """A monitor process on `table`; its clock at 700 s."""
    config = MonitorServiceSettings.from_env(
        {
            "MONITOR_SERVICE_TABLE": table,
            "AWS_ENDPOINT_URL": emulator.endpoint_url,
            "INSTANCE_ID": "monitor-1",
        }
    )
    world = s.World(policy=MonitorPolicy(prices=load_price_book()), config=config)
    world.set(700)
    return world


def _answers(world: s.World) -> dict[str, Any]:
    with ApiWorld(world) as api:
        return {
            path: api.get(path)
            for path in (
                "/health",
                "/metrics",
                "/audit/events",
                "/audit/jobs/j-1",
                f"/metrics?as_of={s.at(305).isoformat().replace('+00:00', 'Z')}",
            )
        }


def _check(answers: dict[str, Any]) -> None:
    """What the API must answer about EVENTS at 700 s."""
    assert {r.status for r in answers.values()} == {200}
    services = {x["service"]: x for x in answers["/health"].body["services"]}
    assert services["job-service"]["state"] == "healthy"
    assert services["job-service"]["last_heartbeat_at"] == s.at(320).isoformat()
    metrics = answers["/metrics"].body
    assert metrics["pool_maximum"] == [{"profile": "small", "value": 3}]
    assert [r["p50"] for r in metrics["priority_wait_seconds"]] == [293.0]
    assert [r["value"] for r in metrics["sla_breaches"]] == [1]
    audit = [e["detail_type"] for e in answers["/audit/events"].body["events"]]
    assert audit == [e.detail_type for e in EVENTS]
    timeline = [e["detail_type"] for e in answers["/audit/jobs/j-1"].body["events"]]
    assert timeline == ["JobSubmitted", "JobAllocated", "JobStarted", "JobSucceeded"]
    as_of = answers[next(p for p in answers if "as_of" in p)].body
    assert [(r["state"], r["value"]) for r in as_of["clusters"]] == [("busy", 1)]


def test_the_api_answers_health_metrics_and_audit_from_the_stored_log(
    emulator: Emulator, table: str, dynamodb: Any
) -> None:
    # Given a monitor that consumed a job's saga into its table in the emulator
    world = _world(emulator, table)
    for event in EVENTS:
        world.set(event.occurred_at.timestamp() - s.T0.timestamp() + 1)
        world.deliver(event)
    world.set(700)
    assert dynamodb.scan(TableName=table, Select="COUNT")["Count"] > len(EVENTS)
    # When the API is asked
    answers = _answers(world)
    # Then it answers from what was stored
    _check(answers)
    # And a process started afterwards on the same table rebuilds exactly the same answers
    again = _answers(_world(emulator, table))
    assert {path: reply.body for path, reply in again.items()} == {
        path: reply.body for path, reply in answers.items()
    }
