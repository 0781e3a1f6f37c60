"""Job profiles kept in memory, so that a warm submission reads nothing before its one save.

Off unless `enable(seconds)` is called (the REST API does, through `cache_profiles`; consumers
read profiles fresh). The profile lookup (profiles.py) consults it: a profile is read from the
store on a miss and kept until one of these:
- this process saves it (create or update: the saved profile replaces the cached one);
- a save of it conflicts (another process changed it: the next use reads it again);
- the log the board reader reads (the board's catch-up, or a gap found after a save) holds a
  newer version of it (the cache is one of the reader's log observers);
- the board starts over from a checkpoint: the log before it is not read, so every cached
  profile is dropped (the cache needs none of the log older than what it reads from now on);
- `seconds` pass: the bound on how long a change made by another process goes unseen when this
  process reads no log meanwhile.
A submission that raced a change made elsewhere may so be checked against the terms just
before the change, as if it had come a moment earlier. Missing profiles are never cached.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

from job_service.domain import JobProfile


class ProfileCache:
    """Job profiles by id, each for `ttl` seconds (None: off, nothing is kept); copies go in
    and out (callers mutate them)."""

    def __init__(self, ttl: float | None = None, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self._clock = clock
        self._profiles: dict[UUID, tuple[float, JobProfile]] = {}
        self._lock = threading.Lock()

    def enable(self, seconds: float) -> None:
        """Keep profiles for `seconds` from now on; once (a cache already on stays as it is)."""
        if self.ttl is None:
            self.ttl = seconds

    def get(self, profile_id: UUID) -> JobProfile | None:
        with self._lock:
            entry = self._profiles.get(profile_id)
            if entry is None or self._clock() >= entry[0]:
                self._profiles.pop(profile_id, None)
                return None
            return copy.deepcopy(entry[1])

    def put(self, profile: JobProfile) -> None:
        if self.ttl is None:
            return
        with self._lock:
            self._profiles[profile.id] = (self._clock() + self.ttl, copy.deepcopy(profile))

    def forget(self, profile_id: UUID, *, older_than: int | None = None) -> None:
        """Drop a profile (only if its cached version is below `older_than`, if given)."""
        with self._lock:
            entry = self._profiles.get(profile_id)
            if entry is not None and (older_than is None or entry[1].version < older_than):
                del self._profiles[profile_id]

    # As a log observer of the board reader.

    def apply(self, event: Any, notification_id: int) -> None:
        """A newer version of a cached profile in the log evicts it."""
        if isinstance(event, JobProfile.Updated):
            self.forget(event.originator_id, older_than=event.originator_version)

    def resume_at(self, position: int) -> int:
        """The log before `position` will not be read: forget every profile instead."""
        if position > 0:
            with self._lock:
                self._profiles.clear()
        return position
