"""jobctl dlq list and dlq redrive against the monitor's API over HTTP (operators only).

The monitor's dead-letter queues are an in-memory stand-in here (the SQS adapter and the whole
flow are tested in tests/monitor_service/integration/test_dead_letters.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest

from monitor_service.application.ports import DeadLetter, DeadLetterDepth, DeadLetterQueues
from tests.cli.support import Platform
from tests.monitor_service.support import World

QUEUE, DLQ = "job-service-events", "job-service-events-dlq"


class Queues(DeadLetterQueues):
    """One consumer queue and its dead letters, in memory."""

    def __init__(self) -> None:
        self.dead = [
            DeadLetter(QUEUE, "m-1", "ClusterReady", "e-1", 5, None, 3600.0),
            DeadLetter(QUEUE, "m-2", "JobSubmitted", "e-2", 5, "KeyError: 'x'", 60.0),
        ]
        self.back: list[DeadLetter] = []

    @property
    def queues(self) -> list[str]:
        return [QUEUE]

    def depths(self) -> list[DeadLetterDepth]:
        return [DeadLetterDepth(QUEUE, DLQ, len(self.dead))]

    def messages(self, queue: str | None = None) -> list[DeadLetter]:
        return list(self.dead)

    def redrive(self, queue: str | None = None) -> dict[str, int]:
        moved, self.back, self.dead = len(self.dead), self.back + self.dead, []
        return {QUEUE: moved}


@pytest.fixture
def platform() -> Iterator[tuple[Platform, Queues]]:
    world, queues = World(), Queues()
    world.service = replace(world.service, dead_letters=queues)
    served = Platform.start(monitor=world)
    try:
        yield served, queues
    finally:
        served.close()


def test_dlq_lists_the_dead_letters_then_redrives_them_once(
    platform: tuple[Platform, Queues],
) -> None:
    served, queues = platform
    # Given two dead letters, jobctl dlq lists them with their queue, type, receives and age
    listed = served.run("dlq", "list")
    assert listed.code == 0, listed.err
    assert "m-1" in listed.out and "ClusterReady" in listed.out and "1h" in listed.out
    assert "KeyError: 'x'" in listed.out
    as_json = json.loads(served.run("dlq", "--json").out)
    assert [m["message_id"] for m in as_json["messages"]] == ["m-1", "m-2"]
    assert as_json["queues"] == [{"queue": QUEUE, "dead_letter_queue": DLQ, "depth": 2}]

    # When an operator redrives them, they go back; a second redrive has nothing to send
    first = served.run("dlq", "redrive", "--queue", QUEUE)
    assert (first.code, first.out.strip()) == (0, f"{QUEUE}: 2 sent back")
    assert [m.message_id for m in queues.back] == ["m-1", "m-2"]
    again = served.run("dlq", "redrive")
    assert (again.code, again.out.strip()) == (0, "no dead letters to send back")
    assert "no dead letters" in served.run("dlq").out


def test_dlq_needs_an_operator_and_a_known_queue(platform: tuple[Platform, Queues]) -> None:
    served, queues = platform
    refused = served.run("dlq", "redrive", "--operator-key", "not-an-operator")
    assert refused.code != 0 and len(queues.dead) == 2
    unknown = served.run("dlq", "list", "--queue", "no-such-queue")
    assert unknown.code == 3
    assert QUEUE in unknown.err
