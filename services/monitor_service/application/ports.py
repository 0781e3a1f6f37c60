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
