"""Heartbeats: every service process beats on its Tick, through its own event store.

Only the relay publishes (invariant 7), so a beat is a stored event: `Beacon.Beat` in the
service's own table, which the service's relay turns into the Heartbeat integration event under
the service's own source (`heartbeat_of`). The three services beat through this module.

One Beacon per process (its instance id), and that process is its only writer, so it is kept
in memory between beats: a beat is one save and no read. A beat that cannot be saved is logged
and skipped; it never stops the Tick's work (a gap in the sequence numbers shows it).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate

from events.schemas import Heartbeat, ServiceName

logger = logging.getLogger(__name__)

_NAMESPACE = uuid5(uuid.NAMESPACE_URL, "emr-control-plane/heartbeats")


class Beacon(Aggregate):
    """The heartbeats of one service process."""

    class Lit(Aggregate.Created):
        service: str
        instance_id: str

    class Beat(Aggregate.Event):
        service: str
        instance_id: str
        sequence: int

        def apply(self, beacon: Beacon) -> None:
            beacon.sequence = self.sequence

    def __init__(self, service: str, instance_id: str) -> None:
        self.service, self.instance_id = service, instance_id
        self.sequence = 0

    @staticmethod
    def id_for(service: str, instance_id: str) -> UUID:
        return uuid5(_NAMESPACE, f"{service}/{instance_id}")

    @classmethod
    def light(cls, service: str, instance_id: str, at: datetime) -> Beacon:
        return cls._create(
            cls.Lit,
            id=cls.id_for(service, instance_id),
            timestamp=at,
            service=service,
            instance_id=instance_id,
        )

    def beat(self, at: datetime) -> None:
        self.trigger_event(
            self.Beat,
            timestamp=at,
            service=self.service,
            instance_id=self.instance_id,
            sequence=self.sequence + 1,
        )


class Heartbeats:
    """The beats of one process of `service`, saved in `app`'s event store."""

    def __init__(self, service: ServiceName, instance_id: str) -> None:
        self.service: ServiceName = service
        self.instance_id = instance_id
        self._beacon: Beacon | None = None

    def beat(self, app: Application[UUID], at: datetime) -> int | None:
        """Save the next beat; its sequence number, or None if it could not be saved."""
        try:
            beacon = self._beacon or self._load(app, at)
            self._beacon = None  # until saved: a failed save leaves it ahead of the store
            beacon.beat(at)
            app.save(beacon)
        except Exception:
            logger.exception("%s: heartbeat not saved", self.service)
            return None
        self._beacon = beacon
        return beacon.sequence

    def _load(self, app: Application[UUID], at: datetime) -> Beacon:
        try:
            found: object = app.repository.get(Beacon.id_for(self.service, self.instance_id))
        except AggregateNotFoundError:
            return Beacon.light(self.service, self.instance_id, at)
        assert isinstance(found, Beacon)
        return found


def heartbeat_of(event: Beacon.Beat, event_id: str) -> Heartbeat:
    """The Heartbeat integration event a stored beat is published as."""
    return Heartbeat.model_validate(
        {
            "event_id": event_id,
            "occurred_at": event.timestamp,
            "service": event.service,
            "instance_id": event.instance_id,
            "sequence": event.sequence,
        }
    )


def instance_id_from(environ: Mapping[str, str]) -> str | None:
    """INSTANCE_ID, else the Lambda execution environment's log stream: the name of this process
    in its heartbeats (printable ASCII, at most 256 characters); None if neither is set."""
    raw = environ.get("INSTANCE_ID") or environ.get("AWS_LAMBDA_LOG_STREAM_NAME") or ""
    cleaned = "".join(c for c in raw if "!" <= c <= "~")[-256:]
    return cleaned or None


def new_instance_id(service: str) -> str:
    """A fresh instance id, for a process whose environment names none."""
    return f"{service}-{uuid.uuid4()}"


__all__ = ["Beacon", "Heartbeats", "heartbeat_of", "instance_id_from", "new_instance_id"]
