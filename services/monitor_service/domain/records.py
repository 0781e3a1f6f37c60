"""An audit record (what the monitor keeps of one consumed event) and the time arithmetic shared.

Every read model is fed AuditRecords, live or replayed, so live and replayed models see the same
input. Times inside the models are whole milliseconds since the epoch (integers add up exactly in
any order, so a model rebuilt in another order, or from another process, holds the same numbers).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal

Priority = Literal["critical", "high", "normal", "low"]
PRIORITIES: Final[tuple[Priority, ...]] = ("critical", "high", "normal", "low")
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
MILLISECOND: Final = timedelta(milliseconds=1)
HOUR_MS: Final = 3_600_000


def to_ms(moment: datetime) -> int:
    """Whole milliseconds since the epoch; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // MILLISECOND


def from_ms(ms: int) -> datetime:
    return EPOCH + ms * MILLISECOND


def parse_time(text: str) -> datetime:
    """An ISO 8601 time as pydantic writes it ('Z' or an offset)."""
    return datetime.fromisoformat(text)


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


_STATE_SEQUENCES: Final[dict[str, dict[str, int]]] = {
    "EMR Step Status Change": {
        "PENDING": 0,
        "RUNNING": 1,
        "CANCEL_PENDING": 2,
        "COMPLETED": 3,
        "CANCELLED": 3,
        "FAILED": 3,
        "INTERRUPTED": 3,
    },
    "EMR Cluster State Change": {
        "STARTING": 0,
        "BOOTSTRAPPING": 1,
        "RUNNING": 2,
        "WAITING": 3,
        "TERMINATING": 4,
        "TERMINATED": 5,
        "TERMINATED_WITH_ERRORS": 5,
    },
}
"""Where each EMR state comes in its step's or cluster's life."""


def state_rank(detail_type: str, detail: dict[str, Any]) -> int:
    """An EMR state change's place in its state sequence (PENDING before RUNNING before an
    end); 0 for every other event and for a state not listed."""
    sequence = _STATE_SEQUENCES.get(detail_type)
    state = None if sequence is None else detail.get("state")
    return sequence.get(state, 0) if sequence is not None and isinstance(state, str) else 0


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One integration (or AWS) event as the monitor recorded it.

    `occurred_at` is the publisher's time of the fact; `recorded_at` the monitor's clock when it
    appended the record (what `as_of` replays are cut on). `detail_json` is the event's detail
    as it was read (the consumer reads tolerantly, so fields it does not know are not kept);
    `detail` is it decoded, and the times in milliseconds are worked out once, when built."""

    event_id: str
    detail_type: str
    source: str
    occurred_at: datetime
    recorded_at: datetime
    detail_json: str
    job_id: str | None = None
    tenant_id: str | None = None
    cluster_id: str | None = None
    detail: dict[str, Any] = field(init=False, repr=False, compare=False)
    occurred_ms: int = field(init=False, repr=False, compare=False)
    recorded_ms: int = field(init=False, repr=False, compare=False)
    order_key: tuple[int, int, str] = field(init=False, repr=False, compare=False)
    """Audit order: by occurred time, ties by `state_rank` (EMR stamps its events to the
    second, so a step's PENDING and RUNNING often share one), then by event id (independent
    of arrival order)."""

    def __post_init__(self) -> None:
        occurred_ms = to_ms(self.occurred_at)
        object.__setattr__(self, "detail", json.loads(self.detail_json))
        object.__setattr__(self, "occurred_ms", occurred_ms)
        object.__setattr__(self, "recorded_ms", to_ms(self.recorded_at))
        rank = state_rank(self.detail_type, self.detail)
        object.__setattr__(self, "order_key", (occurred_ms, rank, self.event_id))

    def text(self, name: str) -> str | None:
        """A string field of the detail, None if absent or not a string."""
        value = self.detail.get(name)
        return value if isinstance(value, str) else None

    def number(self, name: str, default: int = 0) -> int:
        value = self.detail.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else default

    def moment(self, name: str) -> datetime | None:
        text = self.text(name)
        return None if text is None else parse_time(text)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able, the detail decoded."""
        return {
            "event_id": self.event_id,
            "detail_type": self.detail_type,
            "source": self.source,
            "occurred_at": iso(self.occurred_at),
            "recorded_at": iso(self.recorded_at),
            "job_id": self.job_id,
            "tenant_id": self.tenant_id,
            "cluster_id": self.cluster_id,
            "detail": self.detail,
        }
