"""Job profiles kept in memory, so that a warm submission reads nothing before its one save.

Off unless `cache_profiles(seconds)` is called (the REST API does; consumers read profiles
fresh). A profile is read from the store on a miss and kept until one of these:
- this process saves it (create or update: the saved profile replaces the cached one);
- a save of it conflicts (another process changed it: the next use reads it again);
- the log this process reads (the board's catch-up, or a gap found after its own save) holds a
  newer version of it;
- `seconds` pass: the bound on how long a change made by another process goes unseen when this
  process reads no log meanwhile.
A submission that raced a change made elsewhere may so be checked against the terms just
before the change, as if it had come a moment earlier. Missing profiles are never cached.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from job_service.application.base import serialized
from job_service.application.errors import Conflict
from job_service.application.observed_log import ObservedLog
from job_service.application.profiles import ProfileUseCases
from job_service.domain import JobProfile, ProfileTerms


class ProfileCache:
    """Job profiles by id, each for `ttl` seconds; copies go in and out (callers mutate them)."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._profiles: dict[UUID, tuple[float, JobProfile]] = {}
        self._lock = threading.Lock()

    def get(self, profile_id: UUID) -> JobProfile | None:
        with self._lock:
            entry = self._profiles.get(profile_id)
            if entry is None or self._clock() >= entry[0]:
                self._profiles.pop(profile_id, None)
                return None
            return copy.deepcopy(entry[1])

    def put(self, profile: JobProfile) -> None:
        with self._lock:
            self._profiles[profile.id] = (self._clock() + self.ttl, copy.deepcopy(profile))

    def forget(self, profile_id: UUID, *, older_than: int | None = None) -> None:
        """Drop a profile (only if its cached version is below `older_than`, if given)."""
        with self._lock:
            entry = self._profiles.get(profile_id)
            if entry is not None and (older_than is None or entry[1].version < older_than):
                del self._profiles[profile_id]


class CachedProfiles(ObservedLog, ProfileUseCases):
    _profile_cache: ProfileCache | None = None

    def cache_profiles(self, seconds: float) -> None:
        """Keep profiles in memory from now on (see the module docstring); once per process."""
        if self._profile_cache is None:
            self._profile_cache = ProfileCache(seconds)
            self.observe_log(self._saw_event)

    @serialized
    def update_profile(self, name: str, terms: ProfileTerms, *, at: datetime) -> JobProfile:
        """As ProfileUseCases.update_profile, on the stored profile (never a cached one)."""
        if self._profile_cache is not None:
            self._profile_cache.forget(JobProfile.id_for(name))
        return super().update_profile(name, terms, at=at)

    def _profile(self, name: str) -> JobProfile:
        cache = self._profile_cache
        cached = None if cache is None else cache.get(JobProfile.id_for(name))
        if cached is not None:
            return cached
        profile = super()._profile(name)
        if cache is not None:
            cache.put(profile)
        return profile

    def _commit(self, *aggregates: Any, consumed: Sequence[str] = ()) -> None:
        cache = self._profile_cache
        if cache is None:
            super()._commit(*aggregates, consumed=consumed)
            return
        profiles = [a for a in aggregates if isinstance(a, JobProfile)]
        try:
            super()._commit(*aggregates, consumed=consumed)
        except Conflict:
            for profile in profiles:
                cache.forget(profile.id)
            raise
        for profile in profiles:
            cache.put(profile)

    def _saw_event(self, event: Any, notification_id: int) -> None:
        if self._profile_cache is not None and isinstance(event, JobProfile.Updated):
            self._profile_cache.forget(event.originator_id, older_than=event.originator_version)
