"""The ThresholdSource port: pool limits kept outside the service (SSM Parameter Store).

A reading is raw text per key (`minimum`, `maximum`, `idle-ttl-seconds`), with a version that
changes whenever any of them changes: the application applies a version once, so a change made
through the API stands until someone edits the source again. Parsing and validation are the
application's (invalid values are logged and ignored).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

KEYS: Final = ("minimum", "maximum", "idle-ttl-seconds")


@dataclass(frozen=True, slots=True)
class ThresholdReading:
    """What the source holds for one profile; keys it lacks are left as they are."""

    values: Mapping[str, str]
    version: str


class ThresholdSource(ABC):
    """Reads every profile's pool limits in one go."""

    @abstractmethod
    def read(self) -> dict[str, ThresholdReading]:
        """Profile name → its reading; profiles the source says nothing about are absent."""


@dataclass
class FakeThresholds(ThresholdSource):
    """Readings in memory; each `set` makes a new version."""

    readings: dict[str, ThresholdReading] = field(default_factory=dict)
    reads: int = 0

    def set(self, profile: str, **values: str | int) -> None:
        """E.g. set("small", minimum=2, maximum="5"); `idle_ttl_seconds` for idle-ttl-seconds."""
        old = self.readings.get(profile)
        merged = dict(old.values) if old else {}
        merged |= {key.replace("_", "-"): str(value) for key, value in values.items()}
        version = str(int(old.version) + 1) if old else "1"
        self.readings[profile] = ThresholdReading(merged, version)

    def read(self) -> dict[str, ThresholdReading]:
        self.reads += 1
        return dict(self.readings)
