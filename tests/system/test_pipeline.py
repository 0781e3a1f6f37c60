"""The whole messaging path on the emulator, with crashes and failures injected on purpose."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from backbone.messaging.publisher import EventBridgePublisher
from bench.pipeline_services import Demand, Submissions, store_env
from cluster_service.subscriptions import DEFINITION as CLUSTER_SERVICE
from local_runtime.emulator import Emulator
from local_runtime.pipeline import Pipeline, ServicePlumbing
from tests.support import unique_name


class World:
    """A producer and a consumer service wired through one pipeline on the emulator."""

    def __init__(self, emulator: Emulator) -> None:
        prefix = unique_name("sys")
        self.submissions = Submissions(env=store_env(emulator.endpoint_url, f"{prefix}-jobs"))
        self.demand = Demand(env=store_env(emulator.endpoint_url, f"{prefix}-demand"))
        self.pipeline = Pipeline(
            emulator.endpoint_url,
            f"{prefix}-bus",
            [
                ServicePlumbing(
                    "job-service",
                    self.submissions.factory.table_name,  # type: ignore[attr-defined]
                    translate=self.submissions.translator(),
                ),
                ServicePlumbing(
                    "cluster-service",
                    self.demand.factory.table_name,  # type: ignore[attr-defined]
                    definition=CLUSTER_SERVICE.with_prefix(prefix),
                    handle_sqs_event=self.counting(self.demand.consumer().handle_sqs_event),
                ),
            ],
        ).create()
        self.deliveries = 0

    def counting(self, handler: Any) -> Any:
        def handle(event: dict[str, Any]) -> dict[str, Any]:
            self.deliveries += len(event["Records"])
            return handler(event)  # type: ignore[no-any-return]

        return handle

    @property
    def relay(self) -> Any:
        return self.pipeline.relays["job-service"]


@pytest.fixture
def world(emulator: Emulator) -> Iterator[World]:
    yield World(emulator)


def test_stored_events_reach_the_consuming_service_once(world: World) -> None:
    # Given three jobs submitted, one of them with an internal note
    ids = [str(world.submissions.submit(f"job-{i}")) for i in range(3)]
    world.submissions.note(world.submissions.submit("big", "large"), "internal, never published")
    # When the pipeline settles
    world.pipeline.pump()
    # Then the consumer counted each published job once, per profile, in order
    assert world.demand.jobs("small") == ids
    assert len(world.demand.jobs("large")) == 1
    assert world.deliveries == 4


def test_a_relay_crash_after_put_events_republishes_and_the_effect_happens_once(
    world: World,
) -> None:
    # Given a relay that dies after PutEvents, before recording its position
    job_id = str(world.submissions.submit("job"))
    positions = world.relay.positions
    original_save = positions.save
    positions.save = _raise_once(original_save)
    with pytest.raises(RuntimeError, match="died"):
        world.relay.poll_once()
    # When a new relay process starts from the recorded position and everything settles
    positions.save = original_save
    world.relay._forget()
    world.pipeline.pump()
    # Then the event was delivered twice, with one id, and counted once
    assert world.deliveries == 2
    assert world.demand.jobs("small") == [job_id]


def test_a_put_events_partial_failure_loses_nothing(world: World) -> None:
    # Given EventBridge rejecting every other entry of the first PutEvents call
    publisher: EventBridgePublisher = world.relay._relay._publisher
    publisher._sleep = lambda seconds: None
    publisher._client = _RejectingFirstCall(publisher._client)
    ids = [str(world.submissions.submit(f"job-{i}")) for i in range(6)]
    # When the pipeline settles
    world.pipeline.pump()
    # Then every job arrived, once
    assert sorted(world.demand.jobs("small")) == sorted(ids)
    assert publisher._client.rejected == 3


def test_duplicated_deliveries_change_nothing(world: World, emulator: Emulator) -> None:
    # Given every message on the consumer's queue delivered twice
    ids = [str(world.submissions.submit(f"job-{i}")) for i in range(4)]
    world.relay.poll_once()
    sqs = world.pipeline.consumers["cluster-service"]
    queue = sqs._sqs
    messages = queue.receive_message(QueueUrl=sqs._queue_url, MaxNumberOfMessages=10)["Messages"]
    for message in messages:
        queue.send_message(QueueUrl=sqs._queue_url, MessageBody=message["Body"])
        queue.change_message_visibility(
            QueueUrl=sqs._queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
        )
    # When the pipeline settles
    world.pipeline.pump()
    # Then each job was counted once
    assert world.deliveries == 8
    assert world.demand.jobs("small") == ids


def _raise_once(save: Any) -> Any:
    calls = []

    def flaky(*args: Any) -> None:
        calls.append(args)
        if len(calls) == 1:
            raise RuntimeError("relay process died before recording its position")
        save(*args)

    return flaky


class _RejectingFirstCall:
    """The events client, failing every other entry of the first PutEvents call."""

    def __init__(self, events: Any) -> None:
        self._events = events
        self.calls = 0
        self.rejected = 0

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls += 1
        if self.calls > 1:
            return self._events.put_events(Entries=Entries)  # type: ignore[no-any-return]
        kept = Entries[::2]
        accepted = iter(self._events.put_events(Entries=kept)["Entries"])
        results = [
            next(accepted) if i % 2 == 0 else {"ErrorCode": "InternalFailure", "ErrorMessage": "x"}
            for i in range(len(Entries))
        ]
        self.rejected = len(Entries) - len(kept)
        return {"FailedEntryCount": self.rejected, "Entries": results}
