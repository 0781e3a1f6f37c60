"""What the real handlers' redelivery properties share: how SQS may deliver a run's events.

The services' consumers are fed from SQS standard queues, which deliver every message at least
once, in no guaranteed order. The properties (tests/job_service/unit/test_redelivery_properties.py
and tests/cluster_service/unit/test_redelivery_properties.py) run a workload in rounds: each
round, the rest of the system (the other service, EMR, CloudFormation) emits a batch of events
caused by the state at the start of the round. One service gets every batch in order, once each;
the other gets each event one to three times, the batch in any order, with late duplicates of
any earlier round's events mixed in. After each round both run their scheduled Tick, and their
read models must agree.

Which events of a round may race is each property's to say: news whose order the service's
decisions depend on by design (first come, first served) is kept to one per round.

`REDELIVERY_EXAMPLES` sets how many workloads hypothesis tries per property (CI's default: 25,
which keeps each property well under 30 s on one core; a deeper local run: 500).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, Final, Protocol, TypeVar

from hypothesis import HealthCheck, Phase, settings
from hypothesis import event as observe
from hypothesis import strategies as st

T = TypeVar("T")

PROPERTY_SETTINGS: Final = settings(
    max_examples=int(os.environ.get("REDELIVERY_EXAMPLES", "25")),
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def as_sqs_delivers(
    data: st.DataObject, batch: Sequence[T], earlier: Sequence[T], label: str
) -> list[T]:
    """One round's deliveries: each event of `batch` one to three times, plus duplicates of
    some `earlier` events (a redelivery after a visibility timeout), all in any order."""
    copies = [event for event in batch for _ in range(data.draw(st.integers(1, 3), label))]
    if earlier:
        late = data.draw(st.lists(st.sampled_from(list(earlier)), max_size=3), f"{label} late")
        copies += late
    return data.draw(st.permutations(copies), f"{label} order")


class Consuming(Protocol):
    """A service under the property: its consumer, its Tick, its read model."""

    def deliver(self, event: Any) -> None: ...

    def tick(self) -> None: ...

    def state(self) -> dict[str, Any]: ...


class Newsroom(Protocol):
    """Makes up to `count` events of news about the in-order service, picking each with
    `choose` among what may be said then."""

    def round(self, count: int, choose: Callable[[list[Any]], Any]) -> list[Any]: ...


def compare_rounds(
    data: st.DataObject, rounds: int, news: Newsroom, in_order: Consuming, redelivered: Consuming
) -> None:
    """The property's loop (see the module docstring)."""
    sent: list[Any] = []
    for n in range(rounds):
        # Each round's news reaches one service once, in order, and the other as SQS may deliver
        label = f"round {n}"
        batch = news.round(
            data.draw(st.integers(1, 6), f"{label} news"),
            lambda choices: data.draw(st.sampled_from(choices), label),  # noqa: B023
        )
        for event in batch:
            in_order.deliver(event)
        for event in as_sqs_delivers(data, batch, sent, label):
            redelivered.deliver(event)
        sent += batch
        in_order.tick()
        redelivered.tick()
        # After every round both are in the same state
        assert redelivered.state() == in_order.state(), f"after {label}"
    observe("events sent", len(sent))
