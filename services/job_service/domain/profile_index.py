"""ProfileIndex: the names of every job profile, so that they can be listed.

A JobProfile's id is derived from its name, so finding one needs no index; listing does. One
aggregate with a fixed id gets one event per profile registered, in the same transaction as the
profile itself. Loading it reads one item per profile ever registered: fine for the hundreds of
profiles a platform has. Two registrations at once conflict on its version; the use case retries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final
from uuid import UUID

from eventsourcing.domain import Aggregate

from job_service.domain.lifecycle import aware
from job_service.domain.topics import keep_old_topics

PROFILE_INDEX_ID: Final = UUID("9a1f6c3e-2b7d-5e48-8c0a-f1e2d3c4b5a6")


class ProfileIndex(Aggregate):
    """Create it with `ProfileIndex.start`; `names` in registration order."""

    class Started(Aggregate.Created):
        pass

    class Added(Aggregate.Event):
        name: str

        def apply(self, index: ProfileIndex) -> None:
            index.names.append(self.name)

    def __init__(self) -> None:
        self.names: list[str] = []

    @classmethod
    def start(cls, at: datetime) -> ProfileIndex:
        return cls._create(cls.Started, id=PROFILE_INDEX_ID, timestamp=aware(at))

    def add(self, name: str, at: datetime) -> None:
        """Add `name` unless it is listed already."""
        if name not in self.names:
            self.trigger_event(self.Added, timestamp=aware(at), name=name)


keep_old_topics("job_service.application.profile_index", ProfileIndex)
