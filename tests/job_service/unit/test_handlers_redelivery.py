"""Invariant 2 and 8 at the handlers: duplicated and reordered deliveries change nothing.

SQS and EventBridge neither order nor deduplicate. A duplicate is stopped by its consumed
marker; a reordered signal about an attempt that is no longer current is a StaleSignal, dropped.
Dispatch triggers (ClusterIdle) may land before or after the slot they announce is free in the
job service's own view; the tick gives known free slots out, so after it the states agree.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

from events.schemas import IntegrationEvent
from tests.job_service.application_support import (
    World,
    failed,
    idle,
    ready,
    rejected,
    step_event,
    terminated,
)

Event = IntegrationEvent | dict[str, Any]
State = dict[str, tuple[str, int, Counter[str]]]


class Saga:
    """Four jobs; three run on c-1, then a mix of news about them arrives."""

    def __init__(self) -> None:
        self.world = World()
        self.jobs = [self.world.submit(f"job-{n}").id for n in range(4)]
        self.world.deliver(ready("c-1", slots=3))
        self.steps = [self.world.job(job_id).step_id or "" for job_id in self.jobs[:3]]

    def news(self) -> list[Event]:
        """Events caused by the state after ClusterReady (the shuffled phase)."""
        first, second, third = self.jobs[:3]
        return [
            step_event(self.steps[0], "COMPLETED"),
            step_event(self.steps[1], "FAILED"),
            rejected(third, "c-1", attempt=1, reason="no_free_slot"),
            idle("c-1", free_slots=1),
            rejected(first, "c-1", attempt=7),  # stale: no such attempt
            step_event(self.steps[2], "RUNNING"),
            step_event("s-NOBODYS", "COMPLETED"),
            idle("c-8", free_slots=1),  # never ready
            terminated("c-9"),
            failed("c-7", second),  # second never ran there
        ]

    def consequences(self) -> list[Event]:
        """What EMR says after the job service cancelled a step (only after the cancel)."""
        return [step_event(step, "CANCELLED") for step in self.world.runner.cancelled]

    def deliver(self, events: list[Event]) -> None:
        for event in events:
            assert self.world.deliver(event).value in ("handled", "duplicate")

    def settle(self) -> State:
        """Run the tick past every back-off; the state of each job."""
        self.world.app.tick(self.world.advance(31))
        return {
            f"job-{n}": (
                self.world.status(job_id),
                self.world.job(job_id).attempts,
                Counter(self.world.published_for(job_id)),
            )
            for n, job_id in enumerate(self.jobs)
        }


def once_in_order() -> State:
    saga = Saga()
    saga.deliver(saga.news())
    saga.deliver(saga.consequences())
    return saga.settle()


def test_every_event_twice_in_a_row_leaves_the_state_of_once() -> None:
    saga = Saga()
    saga.deliver([event for event in saga.news() for _ in range(2)])
    saga.deliver([event for event in saga.consequences() for _ in range(2)])
    notifications = saga.world.app.recorder.max_notification_id()

    assert saga.settle() == once_in_order()
    reference = Saga()
    reference.deliver(reference.news())
    reference.deliver(reference.consequences())
    assert notifications == reference.world.app.recorder.max_notification_id()


@pytest.mark.parametrize("seed", range(12))
def test_duplicated_and_shuffled_deliveries_end_in_the_same_states(seed: int) -> None:
    # Given the same news delivered one to three times each, in a shuffled order
    rng = random.Random(seed)
    saga = Saga()
    news = [event for event in saga.news() for _ in range(rng.randint(1, 3))]
    rng.shuffle(news)
    saga.deliver(news)
    consequences = saga.consequences() * 2
    rng.shuffle(consequences)
    saga.deliver(consequences)
    # Then, once the tick has run, every job is where one ordered delivery each leaves it
    assert saga.settle() == once_in_order()


def test_the_settled_state_is_the_expected_one() -> None:
    state = once_in_order()
    assert {name: status for name, (status, _, _) in state.items()} == {
        "job-0": "succeeded",
        "job-1": "running",
        "job-2": "running",
        "job-3": "running",
    }
    assert state["job-1"][1] == 2  # the failed attempt counted
    assert state["job-2"][1] == 1  # the rejected one was refunded
