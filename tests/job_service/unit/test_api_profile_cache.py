"""The API process's job profile cache: copies in and out, a time limit, and refreshes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from job_service.application import Conflict, ProfileLookup
from job_service.application.profile_cache import ProfileCache
from job_service.domain import JobProfile
from tests.job_service.api_support import PROFILE, ApiWorld
from tests.job_service.application_support import T0, profile_terms


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def profile() -> JobProfile:
    return JobProfile.register(PROFILE, profile_terms(), T0)


def test_a_cached_profile_expires_after_its_time() -> None:
    clock, cached = Clock(), profile()
    cache = ProfileCache(60, clock)
    cache.put(cached)
    clock.now = 59.9
    assert cache.get(cached.id) is not None
    clock.now = 60
    assert cache.get(cached.id) is None


def test_changing_a_profile_got_from_the_cache_leaves_the_cache_alone() -> None:
    cache, cached = ProfileCache(60), profile()
    cache.put(cached)
    got = cache.get(cached.id)
    assert got is not None and got is not cached
    got.update(profile_terms(max_attempts=9), T0)
    assert cache.get(cached.id).terms.max_attempts == 3  # type: ignore[union-attr]


def test_only_a_newer_version_in_the_log_evicts() -> None:
    cache, cached = ProfileCache(60), profile()
    cache.put(cached)
    cache.forget(cached.id, older_than=cached.version)
    assert cache.get(cached.id) is not None
    cache.forget(cached.id, older_than=cached.version + 1)
    assert cache.get(cached.id) is None


def test_a_save_that_lost_a_race_drops_the_cached_profile() -> None:
    with ApiWorld() as world:
        world.create_profile()
        app = world.service.app
        profiles = ProfileLookup(app.store, app.profile_cache)
        # Given two copies of the cached profile, and one of them saved
        first, second = profiles.get(PROFILE), profiles.get(PROFILE)
        first.update(replace(first.terms, max_attempts=4), T0)
        profiles.save(first)
        # When the other one's save conflicts
        second.update(replace(second.terms, max_attempts=5), T0)
        with pytest.raises(Conflict):
            profiles.save(second)
        # Then the next use reads the profile from the store
        assert app.profile_cache.get(JobProfile.id_for(PROFILE)) is None
        assert app.get_profile(PROFILE).terms.max_attempts == 4
