"""Publishing integration events on the bus: the EventPublisher port and its adapters.

Only the relay publishes (invariant 7). EventBridge may accept some entries of a PutEvents and
reject others (FailedEntryCount > 0): the rejected ones, and only those, are sent again with
exponential back-off and full jitter, and PublishFailed names whatever is still rejected after
the last attempt. Nothing is dropped silently.
"""

from __future__ import annotations

import random
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from events.schemas import IntegrationEvent, to_put_events_entry
from events.schemas.registry import PUT_EVENTS_ENTRY_LIMIT

MAX_ENTRIES_PER_CALL = 10
MAX_BYTES_PER_CALL = 256 * 1024
TIME_FIELD_SIZE = 14
"""What a Time field counts for in EventBridge's entry-size arithmetic."""
assert PUT_EVENTS_ENTRY_LIMIT <= MAX_BYTES_PER_CALL

Entry = dict[str, Any]
Outgoing = tuple[str, Entry]
"""An event's id and its PutEvents entry."""


class PublishFailed(Exception):
    """Events the bus rejected (event id: error code), and those of later batches never sent."""

    def __init__(
        self, failures: Mapping[str, str], attempts: int, *, unsent: Sequence[str] = ()
    ) -> None:
        listed = ", ".join(f"{event_id} ({code})" for event_id, code in failures.items())
        super().__init__(
            f"{len(failures)} event(s) rejected after {attempts} attempt(s): {listed}"
            + (f"; {len(unsent)} later event(s) not sent" if unsent else "")
        )
        self.failures = dict(failures)
        self.attempts = attempts
        self.unsent = list(unsent)

    @property
    def event_ids(self) -> list[str]:
        """Every event that was not published: the rejected, then the unsent."""
        return [*self.failures, *self.unsent]


class EventPublisher(ABC):
    """Puts integration events on the bus, all or raise (never a silent partial success)."""

    @abstractmethod
    def publish(self, events: Sequence[IntegrationEvent]) -> None:
        """Publish the events in order; raises (PublishFailed or the client's error) on failure."""


class EventBridgePublisher(EventPublisher):
    """PutEvents in batches of at most 10 entries and 256 KiB, retrying rejected entries."""

    def __init__(
        self,
        client: Any,
        bus_name: str,
        *,
        max_attempts: int = 5,
        base_delay: float = 0.05,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._client = client
        self.bus_name = bus_name
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self._sleep = sleep

    def publish(self, events: Sequence[IntegrationEvent]) -> None:
        """Batches go out one after another; a batch that fails for good stops the rest."""
        entries = [(event.event_id, to_put_events_entry(event, self.bus_name)) for event in events]
        outgoing = list(batches(entries))
        for number, batch in enumerate(outgoing):
            failures = self._put(batch)
            if failures:
                unsent = [event_id for later in outgoing[number + 1 :] for event_id, _ in later]
                raise PublishFailed(failures, self.max_attempts, unsent=unsent)

    def _put(self, batch: list[Outgoing]) -> dict[str, str]:
        """Send a batch, then its rejected entries again; what is still rejected, by event id."""
        pending = batch
        failures: dict[str, str] = {}
        for attempt in range(self.max_attempts):
            if attempt:
                self._sleep(random.uniform(0, self.base_delay * 2 ** (attempt - 1)))
            answer = self._client.put_events(Entries=[entry for _, entry in pending])
            pending, failures = _rejected(pending, answer)
            if not pending:
                break
        return failures


def _rejected(
    sent: list[Outgoing], answer: Mapping[str, Any]
) -> tuple[list[Outgoing], dict[str, str]]:
    """The entries EventBridge rejected (results match the request by index), and their codes."""
    if not answer.get("FailedEntryCount"):
        return [], {}
    results = answer.get("Entries", [])
    failed = [i for i, result in enumerate(results) if "ErrorCode" in result]
    if len(results) != len(sent) or not failed:  # an answer we cannot map: assume none got out
        return sent, {event_id: "UnmappedFailure" for event_id, _ in sent}
    return [sent[i] for i in failed], {sent[i][0]: str(results[i]["ErrorCode"]) for i in failed}


def entry_size(entry: Entry) -> int:
    """An entry's size as EventBridge counts it: UTF-8 bytes of its strings, Time as 14."""
    size = TIME_FIELD_SIZE if entry.get("Time") is not None else 0
    size += sum(len(str(entry.get(key, "")).encode()) for key in ("Source", "DetailType", "Detail"))
    return size + sum(len(resource.encode()) for resource in entry.get("Resources", ()))


def batches(
    entries: Sequence[Outgoing],
    *,
    max_entries: int = MAX_ENTRIES_PER_CALL,
    max_bytes: int = MAX_BYTES_PER_CALL,
) -> Iterator[list[Outgoing]]:
    """Consecutive runs of entries, each within PutEvents' count and size limits."""
    batch: list[Outgoing] = []
    size = 0
    for item in entries:
        item_size = entry_size(item[1])
        if batch and (len(batch) == max_entries or size + item_size > max_bytes):
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += item_size
    if batch:
        yield batch


class InMemoryPublisher(EventPublisher):
    """A fake for unit tests: records what it publishes; the first `fail_first` calls raise."""

    def __init__(self, *, fail_first: int = 0) -> None:
        self.published: list[IntegrationEvent] = []
        self.calls = 0
        self.fail_first = fail_first

    def publish(self, events: Sequence[IntegrationEvent]) -> None:
        if not events:
            return
        self.calls += 1
        if self.calls <= self.fail_first:
            raise PublishFailed({event.event_id: "InjectedFailure" for event in events}, 1)
        self.published.extend(events)
