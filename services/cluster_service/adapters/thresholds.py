"""FakeThresholds: a ThresholdSource in memory, for tests and simulation."""

from __future__ import annotations

from dataclasses import dataclass, field

from cluster_service.application.ports import ThresholdReading, ThresholdSource


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
