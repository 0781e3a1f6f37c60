"""Collects figures and prints them as one table, grouped by section."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Report:
    rows: list[tuple[str, str, float]] = field(default_factory=list)

    def add(self, section: str, name: str, value: float) -> None:
        self.rows.append((section, name, value))
        print(f"  {name:<64} {_format(value):>12}", flush=True)

    def value(self, name: str) -> float:
        return next(v for _, n, v in self.rows if n == name)

    def ratio(self, section: str, name: str, numerator: str, denominator: str) -> None:
        """Add numerator / denominator, both measured in this run."""
        self.add(section, name, self.value(numerator) / self.value(denominator))


def _format(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}"
