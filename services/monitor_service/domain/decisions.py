"""The monitor's stored events: audit entries and the decisions it publishes.

- AuditEntry: one per consumed event, created once (its id derives from the event id), never
  changed. Its Recorded event is the audit record; its timestamp is when it was recorded.
- ServiceHealth: per service, alternating WentUnhealthy / Recovered.
- ClusterAlarm: per cluster, raised once.
- SlaBreach: per job, decided once.
Ids derive from the subject, so two processes deciding the same thing conflict on the store
instead of publishing twice.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from monitor_service.domain.cluster_watch import Alarm
from monitor_service.domain.errors import AlreadyDecided
from monitor_service.domain.records import AuditRecord, from_ms
from monitor_service.domain.sla import Breach

_NAMESPACE = uuid5(NAMESPACE_URL, "emr-control-plane/monitor-service")


def _id(kind: str, subject: str) -> UUID:
    return uuid5(_NAMESPACE, f"{kind}/{subject}")


class AuditEntry(Aggregate):
    class Recorded(Aggregate.Created):
        event_id: str
        detail_type: str
        source: str
        occurred_at: datetime
        detail: str
        job_id: str | None
        tenant_id: str | None
        cluster_id: str | None

        def record(self) -> AuditRecord:
            return AuditRecord(
                event_id=self.event_id,
                detail_type=self.detail_type,
                source=self.source,
                occurred_at=self.occurred_at,
                recorded_at=self.timestamp,
                detail_json=self.detail,
                job_id=self.job_id,
                tenant_id=self.tenant_id,
                cluster_id=self.cluster_id,
            )

    def __init__(self, event_id: str, **_: object) -> None:
        self.event_id = event_id

    @staticmethod
    def id_for(event_id: str) -> UUID:
        return _id("audit", event_id)

    @classmethod
    def record(cls, record: AuditRecord) -> AuditEntry:
        return cls._create(
            cls.Recorded,
            id=cls.id_for(record.event_id),
            timestamp=record.recorded_at,
            event_id=record.event_id,
            detail_type=record.detail_type,
            source=record.source,
            occurred_at=record.occurred_at,
            detail=record.detail_json,
            job_id=record.job_id,
            tenant_id=record.tenant_id,
            cluster_id=record.cluster_id,
        )


class ServiceHealth(Aggregate):
    class Watched(Aggregate.Created):
        service: str

    class WentUnhealthy(Aggregate.Event):
        service: str
        instance_id: str | None
        last_heartbeat_at: datetime | None

        def apply(self, health: ServiceHealth) -> None:
            health.healthy = False

    class Recovered(Aggregate.Event):
        service: str

        def apply(self, health: ServiceHealth) -> None:
            health.healthy = True

    def __init__(self, service: str) -> None:
        self.service = service
        self.healthy = True

    @staticmethod
    def id_for(service: str) -> UUID:
        return _id("service-health", service)

    @classmethod
    def watch(cls, service: str, at: datetime) -> ServiceHealth:
        return cls._create(cls.Watched, id=cls.id_for(service), timestamp=at, service=service)

    def went_unhealthy(self, instance_id: str | None, last_ms: int | None, at: datetime) -> None:
        if not self.healthy:
            raise AlreadyDecided(f"{self.service} is already unhealthy")
        last = None if last_ms is None else from_ms(last_ms)
        self.trigger_event(
            self.WentUnhealthy,
            timestamp=at,
            service=self.service,
            instance_id=instance_id,
            last_heartbeat_at=last,
        )

    def recovered(self, at: datetime) -> None:
        if self.healthy:
            raise AlreadyDecided(f"{self.service} is already healthy")
        self.trigger_event(self.Recovered, timestamp=at, service=self.service)


class ClusterAlarm(Aggregate):
    class Raised(Aggregate.Created):
        cluster_id: str
        cluster_profile: str | None
        last_seen: datetime
        reason: str

    def __init__(self, cluster_id: str, **_: object) -> None:
        self.cluster_id = cluster_id

    @classmethod
    def raise_for(cls, alarm: Alarm, at: datetime) -> ClusterAlarm:
        return cls._create(
            cls.Raised,
            id=_id("cluster-alarm", alarm.cluster_id),
            timestamp=at,
            cluster_id=alarm.cluster_id,
            cluster_profile=alarm.cluster_profile,
            last_seen=from_ms(alarm.last_seen_ms),
            reason=alarm.reason,
        )


class SlaBreach(Aggregate):
    class Breached(Aggregate.Created):
        job_id: str
        tenant_id: str
        cluster_profile: str
        priority: str
        waited_seconds: float
        target_seconds: float

        def breach(self) -> Breach:
            return Breach(
                self.job_id,
                self.tenant_id,
                self.cluster_profile,
                self.priority,
                self.waited_seconds,
                self.target_seconds,
            )

    def __init__(self, job_id: str, **_: object) -> None:
        self.job_id = job_id

    @staticmethod
    def id_for(job_id: str) -> UUID:
        return _id("sla-breach", job_id)

    @classmethod
    def decide(cls, breach: Breach, at: datetime) -> SlaBreach:
        return cls._create(
            cls.Breached,
            id=cls.id_for(breach.job_id),
            timestamp=at,
            job_id=breach.job_id,
            tenant_id=breach.tenant_id,
            cluster_profile=breach.cluster_profile,
            priority=breach.priority,
            waited_seconds=breach.waited_seconds,
            target_seconds=breach.target_seconds,
        )
