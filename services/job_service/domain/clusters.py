"""KnownCluster: the job service's own record of one cluster the cluster service made ready.

It holds what dispatching needs and the integration events do not repeat: the EMR cluster id
(steps are added there), the profile, the slot count, and whether the cluster still takes jobs.
Each dispatch round onto the cluster is an event too, so two writers dispatching onto the same
cluster at once conflict on its version (one gets IntegrityError) instead of double-booking a slot.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from job_service.domain.errors import StaleSignal
from job_service.domain.lifecycle import aware
from job_service.domain.topics import keep_old_topics

_NAMESPACE = UUID("4d2b8e1c-7a35-5f0e-9b6d-2c1e0f3a5b71")


class KnownCluster(Aggregate):
    """Register it with `KnownCluster.register`; its id is derived from our cluster id."""

    class Registered(Aggregate.Created):
        cluster_id: str
        cluster_profile: str
        emr_cluster_id: str
        slots: int

    class Dispatched(Aggregate.Event):
        job_ids: list[str]

    class Closed(Aggregate.Event):
        reason: str

        def apply(self, cluster: KnownCluster) -> None:
            cluster.closed_reason = self.reason

    def __init__(self, cluster_id: str, cluster_profile: str, emr_cluster_id: str, slots: int):
        self.cluster_id, self.cluster_profile = cluster_id, cluster_profile
        self.emr_cluster_id, self.slots = emr_cluster_id, slots
        self.closed_reason: str | None = None

    @staticmethod
    def id_for(cluster_id: str) -> UUID:
        return uuid5(_NAMESPACE, cluster_id)

    @classmethod
    def register(
        cls, cluster_id: str, cluster_profile: str, emr_cluster_id: str, slots: int, at: datetime
    ) -> KnownCluster:
        """A cluster that became ready with `slots` slots, numbered 0..slots-1."""
        fields = {"cluster_profile": cluster_profile, "emr_cluster_id": emr_cluster_id}
        return cls._create(
            cls.Registered,
            id=cls.id_for(cluster_id),
            timestamp=aware(at),
            cluster_id=cluster_id,
            slots=slots,
            **fields,
        )

    @classmethod
    def tombstone(cls, cluster_id: str, reason: str, at: datetime) -> KnownCluster:
        """A cluster lost before we heard it was ready: a late ClusterReady must not revive it."""
        cluster = cls.register(cluster_id, "", "", 0, at)
        cluster.close(reason, at)
        return cluster

    @property
    def takes_jobs(self) -> bool:
        return self.closed_reason is None

    def dispatched(self, job_ids: list[UUID], at: datetime) -> None:
        """A round of allocations onto this cluster (see the module's note on conflicts)."""
        if not self.takes_jobs:
            raise StaleSignal("dispatch", f"cluster {self.cluster_id} is {self.closed_reason}")
        self.trigger_event(self.Dispatched, timestamp=aware(at), job_ids=[str(j) for j in job_ids])

    def close(self, reason: str, at: datetime) -> None:
        """The cluster takes no more jobs (lost, terminated, decommissioning); once."""
        if self.takes_jobs:
            self.trigger_event(self.Closed, timestamp=aware(at), reason=reason)


keep_old_topics("job_service.application.clusters", KnownCluster)
