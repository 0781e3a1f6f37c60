"""Profile and pool use cases: registering profiles (and seeding the three of SEED_PROFILES),
changing a pool's thresholds (through the API, or from SSM with changed_by="ssm"), keeping or
dropping its MINIMUM schedule, and reconciling a pool. A change to an existing pool runs in
`PoolRunner.working_on`; a registration is saved directly (`ClusterStore.commit`) and then
reconciled.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from cluster_service.application.errors import Conflict, ProfileExists, ProfileNotFound
from cluster_service.application.ports import ThresholdReading, ThresholdSource
from cluster_service.application.queries import ClusterQueries
from cluster_service.application.runner import PoolRunner
from cluster_service.application.store import ClusterStore
from cluster_service.application.views import PoolSummary
from cluster_service.domain.demand import Demand
from cluster_service.domain.errors import InvalidThresholds
from cluster_service.domain.policy import Decision
from cluster_service.domain.pool import ChangeSource, Pool, check_thresholds
from cluster_service.domain.profiles import SEED_PROFILES, ClusterProfile
from cluster_service.domain.records import PoolRoster, ProfileCatalog, ProfileRecord

logger = logging.getLogger(__name__)

Thresholds = tuple[int, int, int]
"""(minimum, maximum, idle TTL in seconds)."""
SEED_THRESHOLDS: Final[Mapping[str, Thresholds]] = {
    "small": (1, 5, 900),
    "medium": (0, 4, 1_800),
    "large": (0, 2, 1_800),
}
"""Where the seeded pools start: one small cluster kept warm, medium and large on demand."""
_WHOLE_NUMBER: Final = re.compile(r"[0-9]{1,9}")


class ProfilesAndPools:
    """Registering and changing profiles and pools, and reading thresholds from their source."""

    def __init__(
        self,
        store: ClusterStore,
        runner: PoolRunner,
        queries: ClusterQueries,
        thresholds: ThresholdSource | None = None,
    ) -> None:
        """`thresholds`: where pool limits are kept outside the service (None: API only)."""
        self.store = store
        self.runner = runner
        self.queries = queries
        self.thresholds = thresholds

    def seed(
        self, at: datetime, thresholds: Mapping[str, Thresholds] = SEED_THRESHOLDS
    ) -> list[str]:
        """Register whichever of small, medium and large is missing; the names registered.
        Safe to race: whoever loses to a concurrent seed registers nothing."""
        with self.store.lock:
            catalog = self.store.get(ProfileCatalog.ID, ProfileCatalog) or ProfileCatalog.open(at)
            missing = [p for name, p in SEED_PROFILES.items() if name not in catalog.names]
            records: list[Any] = []
            for profile in missing:
                records += self._registration(profile, thresholds[profile.name], "api", at)
                catalog.add(profile.name, at)
            try:
                self.store.commit([*records, catalog])
            except Conflict:
                return []
        for profile in missing:
            self.reconcile_pool(profile.name, at)
        return [p.name for p in missing]

    def register_profile(
        self,
        profile: ClusterProfile,
        minimum: int,
        maximum: int,
        idle_ttl_seconds: int,
        at: datetime,
    ) -> PoolSummary:
        """A new profile and its pool; ProfileExists, InvalidThresholds, Conflict."""
        with self.store.lock:
            if self.store.get(ProfileRecord.id_for(profile.name), ProfileRecord) is not None:
                raise ProfileExists(profile.name)
            records = self._registration(profile, (minimum, maximum, idle_ttl_seconds), "api", at)
            catalog = self.store.get(ProfileCatalog.ID, ProfileCatalog) or ProfileCatalog.open(at)
            catalog.add(profile.name, at)
            self.store.commit([*records, catalog])
        self.reconcile_pool(profile.name, at)
        return self.queries.get_pool(profile.name)

    def update_profile(self, profile: ClusterProfile, at: datetime) -> ClusterProfile:
        """Change a registered profile's shape (recorded only if it differs). Clusters running or
        starting keep the shape they were created with; the pool is reconciled at once, so a
        new slot count counts for the clusters it starts next. ProfileNotFound, Conflict."""
        with self.runner.working_on(profile.name, at) as work:
            record = self.store.get(ProfileRecord.id_for(profile.name), ProfileRecord)
            if record is None or not work.registered:
                raise ProfileNotFound(profile.name)
            if record.update(profile, at):
                work.profile = profile
                work.others.append(record)
        return profile

    def _registration(
        self, profile: ClusterProfile, thresholds: Thresholds, by: ChangeSource, at: datetime
    ) -> list[Any]:
        minimum, maximum, ttl = thresholds
        return [
            ProfileRecord.register(profile, at),
            Pool.create(profile.name, minimum, maximum, ttl, by, at),
            PoolRoster.open(profile.name, at),
            Demand.open(profile.name, at),
        ]

    def change_thresholds(
        self,
        profile: str,
        minimum: int,
        maximum: int,
        idle_ttl_seconds: int,
        changed_by: ChangeSource,
        at: datetime,
    ) -> PoolSummary:
        """New limits (recorded only if they differ), and the pool reconciled to them at once.
        Raises ProfileNotFound, InvalidThresholds, InvalidChangeSource, Conflict."""
        with self.runner.working_on(profile, at) as work:
            if work.pool is None or not work.registered:
                raise ProfileNotFound(profile)
            work.pool.change_thresholds(minimum, maximum, idle_ttl_seconds, changed_by, at)
        return work.summary(at)

    def set_schedule(
        self,
        profile: str,
        time_zone: str,
        minimum: list[int],
        changed_by: ChangeSource,
        at: datetime,
    ) -> PoolSummary:
        """Keep a MINIMUM schedule for the pool (recorded only if it differs) and reconcile the
        pool to the hour's value at once. Raises ProfileNotFound, InvalidSchedule, Conflict."""
        with self.runner.working_on(profile, at) as work:
            if work.pool is None or not work.registered:
                raise ProfileNotFound(profile)
            work.pool.set_schedule(time_zone, minimum, changed_by, at)
        return work.summary(at)

    def clear_schedule(self, profile: str, changed_by: ChangeSource, at: datetime) -> PoolSummary:
        """Drop the pool's schedule (if any): its own MINIMUM alone counts from now, and the
        clusters kept for the schedule go after their idle TTL. ProfileNotFound, Conflict."""
        with self.runner.working_on(profile, at) as work:
            if work.pool is None or not work.registered:
                raise ProfileNotFound(profile)
            work.pool.clear_schedule(changed_by, at)
        return work.summary(at)

    def reconcile_pool(self, profile: str, at: datetime) -> list[Decision]:
        """Run the policy and carry out what it decides; the decisions (ProfileNotFound)."""
        with self.runner.working_on(profile, at) as work:
            if not work.registered:
                raise ProfileNotFound(profile)
        return work.decisions

    def sync_thresholds(self, at: datetime) -> list[str]:
        """Apply each profile's new reading from the ThresholdSource; the profiles changed."""
        if self.thresholds is None:
            return []
        readings = self.thresholds.read()
        if not readings:
            return []
        return [
            name
            for name in self.store.profile_names()
            if name in readings and self._apply_reading(name, readings[name], at)
        ]

    def _apply_reading(self, name: str, reading: ThresholdReading, at: datetime) -> bool:
        roster = self.store.get(PoolRoster.id_for(name), PoolRoster)
        pool = self.store.get(Pool.id_for(name), Pool)
        if roster is None or pool is None or reading.version == roster.ssm_version:
            return False
        values = _parsed(name, reading, pool)
        if values is None:
            return False
        with self.runner.working_on(name, at) as work:
            assert work.pool is not None and work.roster is not None
            changed = work.pool.change_thresholds(*values, "ssm", at)
            work.roster.ssm_applied(reading.version, at)
        return changed


def _parsed(name: str, reading: ThresholdReading, pool: Pool) -> Thresholds | None:
    """The reading over the pool's current values; None (logged) if any value is invalid."""
    values = {
        "minimum": pool.minimum,
        "maximum": pool.maximum,
        "idle-ttl-seconds": pool.idle_ttl_seconds,
    }
    for key, raw in reading.values.items():
        if not _WHOLE_NUMBER.fullmatch(raw.strip()):
            logger.warning("pool %s: ignoring SSM %s=%r: not a whole number", name, key, raw)
            return None
        values[key] = int(raw.strip())
    minimum, maximum, ttl = values["minimum"], values["maximum"], values["idle-ttl-seconds"]
    try:
        check_thresholds(minimum, maximum, ttl)
    except InvalidThresholds as error:
        logger.warning("pool %s: ignoring SSM thresholds %s: %s", name, values, error)
        return None
    return minimum, maximum, ttl
