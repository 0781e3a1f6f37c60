"""Use cases of job profiles: create, update, read, list (profiles are not tenant-scoped)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from eventsourcing.application import AggregateNotFoundError

from job_service.application.base import JobsCore, serialized
from job_service.application.errors import Conflict, ProfileExists, ProfileNotFound
from job_service.application.identifiers import require_identifier
from job_service.application.profile_index import PROFILE_INDEX_ID, ProfileIndex
from job_service.domain import JobProfile, ProfileError, ProfileTerms

REGISTRATION_ATTEMPTS: Final = 3
"""Tries when a registration loses the race for the profile index to another one."""


class ProfileUseCases(JobsCore):
    @serialized
    def create_profile(self, name: str, terms: ProfileTerms, *, at: datetime) -> JobProfile:
        """Register a new profile and list it, in one save; ProfileExists if the name is taken."""
        require_identifier(name, "a job profile's name", ProfileError)
        require_identifier(terms.cluster_profile, "cluster_profile", ProfileError)
        for _ in range(REGISTRATION_ATTEMPTS):
            if self._has_profile(name):
                raise ProfileExists(name)
            profile = JobProfile.register(name, terms, at)
            index = self._profile_index(at)
            index.add(name, at)
            try:
                self._commit(profile, index)
            except Conflict:
                continue  # the same name (checked above) or another one took the index first
            return profile
        raise Conflict(f"job profile {name!r}: the profile index kept changing; try again")

    @serialized
    def update_profile(self, name: str, terms: ProfileTerms, *, at: datetime) -> JobProfile:
        """Replace every term of a profile; jobs already submitted keep theirs."""
        require_identifier(terms.cluster_profile, "cluster_profile", ProfileError)
        profile = self._profile(name)
        profile.update(terms, at)
        self._commit(profile)
        return profile

    def get_profile(self, name: str) -> JobProfile:
        return self._profile(name)

    def list_profiles(self) -> list[JobProfile]:
        """Every profile, by name (one read for the index, one per profile)."""
        try:
            index: object = self.repository.get(PROFILE_INDEX_ID)
        except AggregateNotFoundError:
            return []
        assert isinstance(index, ProfileIndex)
        return [self._profile(name) for name in sorted(index.names)]

    def _has_profile(self, name: str) -> bool:
        try:
            self._profile(name)
        except ProfileNotFound:
            return False
        return True

    def _profile_index(self, at: datetime) -> ProfileIndex:
        try:
            index: object = self.repository.get(PROFILE_INDEX_ID)
        except AggregateNotFoundError:
            return ProfileIndex.start(at)
        assert isinstance(index, ProfileIndex)
        return index
