"""What the monitor needs from outside besides its event store: somewhere to publish metrics."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Sample:
    """One figure of a metrics report: a metric name, its labels, its value."""

    name: str
    labels: tuple[tuple[str, str], ...]
    value: float


class MetricsPublisher(ABC):
    """Publishes the figures of one metrics report, taken at `at` (on every Tick)."""

    @abstractmethod
    def publish(self, samples: Sequence[Sample], at: datetime) -> None: ...


class DiscardMetrics(MetricsPublisher):
    """Publishes nothing: local runs and tests read the figures from GET /metrics."""

    def publish(self, samples: Sequence[Sample], at: datetime) -> None:
        return None


@dataclass(frozen=True)
class DeadLetter:
    """One message a consumer gave up on, as its dead-letter queue holds it."""

    queue: str
    """The consumer's queue it came from (and goes back to on a redrive)."""
    message_id: str
    detail_type: str | None
    """The EventBridge envelope's detail-type; None for a body that is no envelope."""
    event_id: str | None
    """The integration event's id (or the AWS envelope's): what the consumer deduplicates on."""
    receive_count: int
    """How often the consumer received it before it was dead-lettered."""
    first_error: str | None
    """Why it failed, when the message says (SQS keeps no error: the consumer's log has it,
    under the message id)."""
    age_seconds: float
    """Since it was first sent to the consumer's queue."""


@dataclass(frozen=True)
class DeadLetterDepth:
    """How many messages a consumer's dead-letter queue holds."""

    queue: str
    dead_letter_queue: str
    depth: int


class DeadLetterQueues(ABC):
    """The consumers' dead-letter queues: their depth, their messages, and the way back."""

    @abstractmethod
    def depths(self) -> list[DeadLetterDepth]:
        """Each dead-letter queue's depth (SQS's approximate count of visible messages)."""

    @abstractmethod
    def messages(self, queue: str | None = None) -> list[DeadLetter]:
        """The dead letters of every queue, or of one, oldest first; they stay where they are."""

    @abstractmethod
    def redrive(self, queue: str | None = None) -> dict[str, int]:
        """Move the dead letters of every queue, or of one, back to their queue; how many per
        queue. A consumer's markers make a message moved twice take effect once."""

    @property
    @abstractmethod
    def queues(self) -> list[str]:
        """The consumers' queues whose dead letters this sees."""


class NoDeadLetterQueues(DeadLetterQueues):
    """No queues to watch (tests and tools that run no consumers on SQS)."""

    def depths(self) -> list[DeadLetterDepth]:
        return []

    def messages(self, queue: str | None = None) -> list[DeadLetter]:
        return []

    def redrive(self, queue: str | None = None) -> dict[str, int]:
        return {}

    @property
    def queues(self) -> list[str]:
        return []
