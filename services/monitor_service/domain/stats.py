"""Sorted samples with nearest-rank percentiles (exact, deterministic, hand-checkable)."""

from __future__ import annotations

from bisect import bisect_left, insort
from typing import Final

PERCENTILES: Final = (50, 95, 99)


def nearest_rank(values: list[int], percent: int) -> int:
    """The smallest value with at least `percent`% of the values at or below it."""
    rank = -(-percent * len(values) // 100)
    return values[max(rank, 1) - 1]


class Samples:
    """A sorted multiset of integers (milliseconds) that samples can be taken back from."""

    __slots__ = ("_total", "_values")

    def __init__(self) -> None:
        self._values: list[int] = []
        self._total = 0

    def __len__(self) -> int:
        return len(self._values)

    @property
    def total(self) -> int:
        return self._total

    def add(self, value: int) -> None:
        insort(self._values, value)
        self._total += value

    def remove(self, value: int) -> None:
        index = bisect_left(self._values, value)
        if index == len(self._values) or self._values[index] != value:
            raise ValueError(f"{value} is not a sample")
        del self._values[index]
        self._total -= value

    def percentile(self, percent: int) -> int:
        return nearest_rank(self._values, percent)

    def summary(self) -> dict[str, float]:
        """count, sum and p50/p95/p99 in seconds; empty samples give only count and sum."""
        found: dict[str, float] = {"count": len(self._values), "sum": self._total / 1000}
        if self._values:
            found |= {f"p{p}": self.percentile(p) / 1000 for p in PERCENTILES}
        return found
