"""Deliveries to the consumers duplicated, delayed and reordered, as SQS and Lambda may do.

A service's SQS poller asks this, for each batch it receives, which messages to hold back (made
visible again after a few seconds: they arrive after later ones), in which order to hand the
rest over (shuffled), and which of those handled to leave undeleted (received and handled again
a second later: a duplicate). Nothing is ever dropped. Off unless CHAOS_DELIVERY is set, e.g.
`duplicate=0.1,delay=0.05,reorder=0.3,seed=7` (shares of messages, of batches for reorder); it
stops for good once the file CHAOS_STOP_FILE names exists. Each batch it changed is logged as
`chaos delivery duplicated=N delayed=N reordered=N`, which the harness counts.
"""

from __future__ import annotations

import logging
import os
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

VARIABLE = "CHAOS_DELIVERY"
STOP_VARIABLE = "CHAOS_STOP_FILE"
DELAY_SECONDS = (1, 6)
"""How long a held-back message stays invisible (SQS visibility timeout, whole seconds)."""
DUPLICATE_SECONDS = 1
LOG_PATTERN = re.compile(r"chaos delivery duplicated=(\d+) delayed=(\d+) reordered=(\d+)")
logger = logging.getLogger(__name__)
M = TypeVar("M")


@dataclass
class Arrangement:
    """What to do with one received batch."""

    now: list[dict[str, Any]]
    """Hand these over, in this order."""
    delayed: list[tuple[dict[str, Any], int]] = field(default_factory=list)
    """Hold these back: (message, seconds until it is visible again)."""
    reordered: bool = False


@dataclass
class DeliveryChaos:
    """Shares of misbehaving deliveries; see the module docstring."""

    duplicate: float = 0.0
    delay: float = 0.0
    reorder: float = 0.0
    seed: int | None = None
    stop_file: Path | None = None

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DeliveryChaos | None:
        """CHAOS_DELIVERY's settings; None when it is unset or blank."""
        env = os.environ if environ is None else environ
        raw = env.get(VARIABLE, "").strip()
        if not raw:
            return None
        values: dict[str, Any] = {}
        for item in (i.strip() for i in re.split(r"[,;]", raw) if i.strip()):
            key, _, value = item.partition("=")
            key = key.strip()
            if key == "seed":
                values[key] = int(value)
            elif key in ("duplicate", "delay", "reorder"):
                share = float(value)
                if not 0.0 <= share <= 1.0:
                    raise ValueError(f"{VARIABLE}: {key}={value} is not between 0 and 1")
                values[key] = share
            else:
                raise ValueError(f"{VARIABLE}: unknown item {item!r}")
        stop = env.get(STOP_VARIABLE, "").strip()
        return cls(**values, stop_file=Path(stop) if stop else None)

    @property
    def active(self) -> bool:
        return self.stop_file is None or not self.stop_file.exists()

    def arrange(self, messages: Sequence[dict[str, Any]]) -> Arrangement:
        """Which messages to hand over now and in which order, which to hold back."""
        if not self.active:
            return Arrangement(list(messages))
        now, delayed = [], []
        for message in messages:
            if _fresh(message) and self._random.random() < self.delay:
                delayed.append((message, self._random.randint(*DELAY_SECONDS)))
            else:
                now.append(message)
        reordered = len(now) > 1 and self._random.random() < self.reorder
        if reordered:
            before = list(now)
            while now == before:
                self._random.shuffle(now)
        return Arrangement(now, delayed, reordered)

    def duplicates(self, handled: Sequence[M]) -> list[M]:
        """Of the messages handled, those to deliver once more."""
        if not self.active:
            return []
        return [m for m in handled if _fresh(m) and self._random.random() < self.duplicate]

    @staticmethod
    def report(duplicated: int, delayed: int, reordered: bool) -> None:
        """Log what was done to one batch (for the harness's counts)."""
        if duplicated or delayed or reordered:
            logger.info(
                "chaos delivery duplicated=%d delayed=%d reordered=%d",
                duplicated,
                delayed,
                int(reordered),
            )


def _fresh(message: Any) -> bool:
    """Received for the first time: a message is held back or duplicated at most once, so chaos
    alone never brings one near its queue's maxReceiveCount (and the dead-letter queue)."""
    attributes = message.get("Attributes", {}) if isinstance(message, Mapping) else {}
    return str(attributes.get("ApproximateReceiveCount", "1")) == "1"


def counts(log_text: str) -> dict[str, int]:
    """Totals of the `chaos delivery` lines in a service's log."""
    totals = {"duplicated": 0, "delayed": 0, "reordered": 0}
    for match in LOG_PATTERN.finditer(log_text):
        totals["duplicated"] += int(match.group(1))
        totals["delayed"] += int(match.group(2))
        totals["reordered"] += int(match.group(3))
    return totals
