"""Two small services for tests and benchmarks of the messaging path (not the platform's own).

`Submissions` stores jobs and announces each as JobSubmitted (its notes stay internal);
`Demand` counts the jobs submitted per cluster profile, answering each event once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Notification

from backbone.messaging.consumer import Consumer
from backbone.messaging.relay import Translate
from events.schemas import IntegrationEvent, JobSubmitted

AT = datetime(2026, 1, 1, tzinfo=UTC)


class Submission(Aggregate):
    class Submitted(Aggregate.Created):
        name: str
        cluster_profile: str

    class Noted(Aggregate.Event):
        text: str

    @event(Submitted)
    def __init__(self, name: str, cluster_profile: str) -> None:
        self.name = name
        self.cluster_profile = cluster_profile
        self.notes: list[str] = []

    @event(Noted)
    def note(self, text: str) -> None:
        self.notes.append(text)


class Submissions(Application[UUID]):
    def submit(self, name: str, cluster_profile: str = "small") -> UUID:
        submission = Submission(name, cluster_profile)
        self.save(submission)
        return submission.id

    def note(self, submission_id: UUID, text: str) -> None:
        submission: Submission = self.repository.get(submission_id)
        submission.note(text)
        self.save(submission)

    def translator(self) -> Translate:
        def translate(notification: Notification, event_id: str) -> IntegrationEvent | None:
            domain_event = self.mapper.to_domain_event(notification)
            if not isinstance(domain_event, Submission.Submitted):
                return None
            return JobSubmitted(
                event_id=event_id,
                occurred_at=AT,
                job_id=str(domain_event.originator_id),
                tenant_id="tenant-1",
                job_profile="scoring",
                cluster_profile=domain_event.cluster_profile,
                priority="normal",
                name=domain_event.name,
                timeout_seconds=600,
                submitted_at=AT,
            )

        return translate


class ProfileDemand(Aggregate):
    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.jobs: list[str] = []

    @staticmethod
    def create_id(profile: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"demand/{profile}")

    @event("Counted")
    def count(self, job_id: str) -> None:
        self.jobs.append(job_id)


class Demand(Application[UUID]):
    # One aggregate per profile takes every event: keep it in memory, read only what is new.
    env = {"AGGREGATE_CACHE_MAXSIZE": "100"}  # noqa: RUF012 - eventsourcing reads it per class

    def on_job_submitted(self, submitted: JobSubmitted) -> None:
        demand_id = ProfileDemand.create_id(submitted.cluster_profile)
        try:
            demand: ProfileDemand = self.repository.get(demand_id)
        except AggregateNotFoundError:
            demand = ProfileDemand(profile=submitted.cluster_profile)
        demand.count(submitted.job_id)
        self.save(demand, consumed=[submitted.event_id])

    def jobs(self, profile: str) -> list[str]:
        try:
            return list(self.repository.get(ProfileDemand.create_id(profile)).jobs)
        except AggregateNotFoundError:
            return []

    def consumer(self) -> Consumer:
        return Consumer({"JobSubmitted": self.on_job_submitted})


def store_env(endpoint_url: str, table: str) -> dict[str, Any]:
    return {
        "PERSISTENCE_MODULE": "backbone.eventstore",
        "DYNAMODB_TABLE": table,
        "DYNAMODB_ENDPOINT_URL": endpoint_url,
        "CREATE_TABLE": "y",
    }
