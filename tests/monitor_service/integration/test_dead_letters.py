"""Dead letters end to end: a fault dead-letters a message, an operator redrives it, once.

The job service's own consumer and queue definition in the emulator (receive limit 2), fed
through the local SQS event source; the monitor's API (SqsDeadLetterQueues behind it) shows the
dead-letter queue's depth on /health and /metrics, lists the message on GET /dead-letters and
sends it back on POST /dead-letters/redrive, for operators only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from chalice.test import Client

from events.schemas import ClusterReady, to_envelope
from job_service.adapters import FakeStepRunner
from job_service.bootstrap import JobServiceSettings, bootstrap
from job_service.domain import ProfileTerms, StepTemplate
from job_service.subscriptions import DEFINITION as JOB_SERVICE
from local_runtime.emulator import Emulator, client
from local_runtime.resources import create_event_bus, create_in_emulator
from local_runtime.sqs_poller import SqsPoller
from monitor_service.adapters.dead_letters import SqsDeadLetterQueues
from monitor_service.api.runtime import Api
from monitor_service.api.settings import ApiSettings
from monitor_service.app import api, app
from tests.monitor_service import support as s
from tests.support import unique_name

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
KEY, OPERATOR = "key-of-the-operator", "ops"


class Platform:
    """A job service with one queued job behind its queue, and the monitor's API."""

    def __init__(self, emulator: Emulator) -> None:
        self.sqs = client("sqs", emulator.endpoint_url)
        prefix = unique_name("dlq") + "-"
        bus = create_event_bus(client("events", emulator.endpoint_url), prefix + "bus")
        self.definition = replace(JOB_SERVICE.with_prefix(prefix), max_receive_count=2)
        self.queues = create_in_emulator(
            emulator.endpoint_url, self.definition, bus.rpartition("/")[2]
        )
        self.runner = FakeStepRunner()
        settings = JobServiceSettings("unused", persistence_module="backbone.eventstore.memory")
        self.jobs = bootstrap(settings, step_runner=self.runner, clock=lambda: T0)
        template = StepTemplate("spark", ("s3://bucket/job.py",))
        self.jobs.app.create_profile("train", ProfileTerms("training", "small", template), at=T0)
        self.job = self.jobs.app.submit("t-1", "train", "nightly", {}, at=T0)
        self.fault: str | None = "the event store is unreachable"
        self.poller = SqsPoller(
            self.sqs,
            self.queues["queue_url"],
            self.handle,
            wait_seconds=0,
            retry_visibility_timeout=0,
        )
        dead_letters = SqsDeadLetterQueues(
            self.sqs, {self.definition.queue_name: self.definition.dead_letter_queue_name}
        )
        monitor = s.World().service
        api.use(Api(replace(monitor, dead_letters=dead_letters), ApiSettings({KEY: OPERATOR})))
        self.client = Client(app)

    def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        """The consumer, behind a fault that fails every message while it is on."""
        if self.fault is not None:
            raise RuntimeError(self.fault)
        answer: dict[str, Any] = self.jobs.consumer.handle_sqs_event(event)
        return answer

    def send(self, event: ClusterReady) -> None:
        body = json.dumps(to_envelope(event, envelope_id=str(uuid4())))
        self.sqs.send_message(QueueUrl=self.queues["queue_url"], MessageBody=body)

    def poll(self, times: int = 6) -> None:
        for _ in range(times):
            self.poller.poll_once()

    def call(self, method: str, path: str, body: Any = None, key: str | None = KEY) -> Any:
        headers = {"x-api-key": key} if key else {}
        if body is not None:
            headers["content-type"] = "application/json"
        data = b"" if body is None else json.dumps(body).encode()
        answer = self.client.http.request(method, path, headers=headers, body=data)
        return answer.status_code, json.loads(answer.body) if answer.body else None

    def added_steps(self) -> int:
        return sum(1 for method, _ in self.runner.calls if method == "add_step")


@pytest.fixture
def platform(emulator: Emulator) -> Iterator[Platform]:
    world = Platform(emulator)
    yield world
    api.use(None)


def ready() -> ClusterReady:
    return ClusterReady(
        event_id=str(uuid4()),
        occurred_at=T0,
        cluster_id="c-1",
        cluster_profile="small",
        emr_cluster_id="j-CLUSTER1",
        slots=1,
    )


def test_a_dead_letter_redriven_after_the_fix_takes_effect_once(platform: Platform) -> None:
    queue = platform.definition.queue_name
    # Given a ClusterReady the consumer fails on until its queue gives up on it
    event = ready()
    platform.send(event)
    platform.poll()
    assert platform.added_steps() == 0

    # Then it is a dead letter, on /health, /metrics and GET /dead-letters
    status, health = platform.call("GET", "/health")
    assert status == 200
    assert health["dead_letter_queues"] == [
        {
            "queue": queue,
            "dead_letter_queue": platform.definition.dead_letter_queue_name,
            "depth": 1,
        }
    ]
    status, metrics = platform.call("GET", "/metrics")
    assert metrics["dead_letter_messages"] == [{"queue": queue, "value": 1}]
    text = platform.client.http.request(
        "GET", "/metrics?format=prometheus", headers={"x-api-key": KEY}, body=b""
    ).body.decode()
    assert f'emrcp_dead_letter_messages{{queue="{queue}"}} 1' in text.splitlines()
    status, listed = platform.call("GET", f"/dead-letters?queue={queue}")
    assert status == 200
    (letter,) = listed["messages"]
    assert (letter["queue"], letter["detail_type"], letter["event_id"]) == (
        queue,
        "ClusterReady",
        event.event_id,
    )
    assert letter["receive_count"] == 2
    assert letter["age_seconds"] >= 0
    # (listing moved nothing)
    assert platform.call("GET", "/dead-letters")[1]["queues"][0]["depth"] == 1

    # When the fault is fixed and an operator redrives
    platform.fault = None
    status, moved = platform.call("POST", "/dead-letters/redrive", {"queue": queue})
    assert (status, moved) == (200, {"moved": {queue: 1}, "total": 1})
    platform.poll()

    # Then its effect happens once: the job got the cluster's slot and one step
    assert str(platform.jobs.app.get("t-1", platform.job.id).status) == "running"
    assert platform.added_steps() == 1
    assert platform.call("GET", "/dead-letters")[1]["messages"] == []

    # And redriving again moves nothing, and a late copy of the event changes nothing
    assert platform.call("POST", "/dead-letters/redrive", {})[1] == {
        "moved": {queue: 0},
        "total": 0,
    }
    platform.send(event)
    platform.poll()
    assert platform.added_steps() == 1


def test_only_operators_see_or_redrive_dead_letters(platform: Platform) -> None:
    platform.send(ready())
    platform.poll()

    assert platform.call("GET", "/dead-letters", key=None)[0] == 401
    assert platform.call("POST", "/dead-letters/redrive", {}, key="a-tenant-key")[0] == 401
    assert platform.call("GET", "/dead-letters")[1]["queues"][0]["depth"] == 1


def test_an_unknown_queue_is_a_404_naming_the_known_ones(platform: Platform) -> None:
    status, answer = platform.call("POST", "/dead-letters/redrive", {"queue": "no-such-queue"})

    assert status == 404
    assert answer["error"]["field"] == "queue"
    assert platform.definition.queue_name in answer["error"]["message"]
    status, answer = platform.call("POST", "/dead-letters/redrive", {"queues": "x"})
    assert (status, answer["error"]["field"]) == (400, "queues")
