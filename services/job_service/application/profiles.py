"""Job profiles: the lookup every use case reads them through, and their own use cases (create,
update, delete, read, list). Operators manage them (the API checks who calls); a tenant reads
only the profiles that grant it (`ProfileTerms.tenants`), and any other is ProfileNotFound, as
if it did not exist. A deleted profile is ProfileNotFound to everyone but the dispatch of jobs
accepted before it was deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from job_service.application.errors import Conflict, ProfileExists, ProfileNotFound
from job_service.application.identifiers import require_identifier
from job_service.application.profile_cache import ProfileCache
from job_service.application.store import JobStore, serialized
from job_service.domain import (
    PROFILE_INDEX_ID,
    InvalidTemplate,
    JobProfile,
    ProfileError,
    ProfileIndex,
    ProfileTerms,
)

REGISTRATION_ATTEMPTS: Final = 3
"""Tries when a registration loses the race for the profile index to another one."""


class ProfileLookup:
    """Job profiles by name: from the profile cache when it holds one, else from the store
    (kept in the cache then); `save` commits profiles and keeps the cache in step."""

    def __init__(self, store: JobStore, cache: ProfileCache) -> None:
        self.store = store
        self.cache = cache

    def get(
        self,
        name: str,
        *,
        fresh: bool = False,
        tenant_id: str | None = None,
        deleted_too: bool = False,
    ) -> JobProfile:
        """The profile; ProfileNotFound if there is none, if it was deleted (unless
        `deleted_too`) or if it does not grant `tenant_id` (when given). `fresh`: never the
        cached copy."""
        profile = self._get(name, fresh=fresh)
        if profile.deleted and not deleted_too:
            raise ProfileNotFound(name)
        if tenant_id is not None and not profile.terms.grants(tenant_id):
            raise ProfileNotFound(name)
        return profile

    def _get(self, name: str, *, fresh: bool) -> JobProfile:
        profile_id = JobProfile.id_for(name)
        if fresh:
            self.cache.forget(profile_id)
        cached = self.cache.get(profile_id)
        if cached is not None:
            return cached
        profile = self.store.find(profile_id)
        if profile is None:
            raise ProfileNotFound(name)
        assert isinstance(profile, JobProfile)
        self.cache.put(profile)
        return profile

    def stored(self, name: str) -> JobProfile | None:
        """The stored profile (never a cached copy), deleted or not; None if there is none."""
        try:
            return self._get(name, fresh=True)
        except ProfileNotFound:
            return None

    def save(self, profile: JobProfile, *others: Any) -> None:
        """Commit the profile (with `others`); the cache then holds it, or, if the save
        conflicts (another process changed it), no longer holds it."""
        try:
            self.store.commit(profile, *others)
        except Conflict:
            self.cache.forget(profile.id)
            raise
        self.cache.put(profile)


class ProfileUseCases:
    def __init__(self, store: JobStore, profiles: ProfileLookup) -> None:
        self.store = store
        self.profiles = profiles

    @serialized
    def create_profile(self, name: str, terms: ProfileTerms, *, at: datetime) -> JobProfile:
        """Register a new profile and list it, in one save; ProfileExists if the name is taken."""
        require_identifier(name, "a job profile's name", ProfileError)
        require_identifier(terms.cluster_profile, "cluster_profile", ProfileError)
        _require_fixed_program(terms)
        for _ in range(REGISTRATION_ATTEMPTS):
            stored = self.profiles.stored(name)
            if stored is not None and not stored.deleted:
                raise ProfileExists(name)
            if stored is not None:  # deleted: created again under the same name
                stored.reinstate(terms, at)
                self.profiles.save(stored)
                return stored
            profile = JobProfile.register(name, terms, at)
            index = self._profile_index(at)
            index.add(name, at)
            try:
                self.profiles.save(profile, index)
            except Conflict:
                continue  # the same name (checked above) or another one took the index first
            return profile
        raise Conflict(f"job profile {name!r}: the profile index kept changing; try again")

    @serialized
    def update_profile(self, name: str, terms: ProfileTerms, *, at: datetime) -> JobProfile:
        """Replace every term of the stored profile (never a cached copy); jobs already
        submitted keep theirs."""
        require_identifier(terms.cluster_profile, "cluster_profile", ProfileError)
        _require_fixed_program(terms)
        profile = self.profiles.get(name, fresh=True)
        profile.update(terms, at)
        self.profiles.save(profile)
        return profile

    @serialized
    def delete_profile(self, name: str, *, at: datetime) -> JobProfile:
        """No new job may use the profile (ProfileNotFound from now on); its queued and running
        jobs go on to their end with the step they were accepted with."""
        profile = self.profiles.get(name, fresh=True)
        profile.delete(at)
        self.profiles.save(profile)
        return profile

    def get_profile(self, name: str, tenant_id: str | None = None) -> JobProfile:
        """The profile; ProfileNotFound if deleted, or not granted to `tenant_id` (if given)."""
        return self.profiles.get(name, tenant_id=tenant_id)

    def list_profiles(self, tenant_id: str | None = None) -> list[JobProfile]:
        """Every profile not deleted (granted to `tenant_id`, if given), by name (one read for
        the index, one per profile)."""
        index = self.store.find(PROFILE_INDEX_ID)
        if index is None:
            return []
        assert isinstance(index, ProfileIndex)
        found = [self.profiles.get(name, deleted_too=True) for name in sorted(index.names)]
        return [
            profile
            for profile in found
            if not profile.deleted and (tenant_id is None or profile.terms.grants(tenant_id))
        ]

    def _profile_index(self, at: datetime) -> ProfileIndex:
        index = self.store.find(PROFILE_INDEX_ID)
        if index is None:
            return ProfileIndex.start(at)
        assert isinstance(index, ProfileIndex)
        return index


def _require_fixed_program(terms: ProfileTerms) -> None:
    """InvalidTemplate if a job's parameters could choose the code its step runs."""
    if chosen := terms.step_template.program_placeholders():
        raise InvalidTemplate(
            f"placeholders {sorted(chosen)} would let a job's parameters choose the program; "
            "write the program, the spark application and options such as --class, --jars "
            "or --conf as fixed text"
        )
