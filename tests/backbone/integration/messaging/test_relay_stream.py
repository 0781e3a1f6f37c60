"""The relay end to end on moto: an Application's stored events → DynamoDB stream → bus → SQS."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Notification

from backbone.messaging.publisher import EventBridgePublisher
from backbone.messaging.relay import Relay, Translate
from events.schemas import (
    JOB_SERVICE_SOURCE,
    IntegrationEvent,
    JobSubmitted,
    Priority,
    derived_event_id,
)
from local_runtime.emulator import Emulator
from local_runtime.positions import DynamoDBPositions
from local_runtime.stream_poller import StreamPoller
from tests.backbone.integration.messaging.test_publisher_contract import BusTap, client
from tests.support import unique_name


class Job(Aggregate):
    class Submitted(Aggregate.Created):
        name: str
        priority: Priority

    class Noted(Aggregate.Event):
        text: str

    @event(Submitted)
    def __init__(self, name: str, priority: Priority) -> None:
        self.name = name
        self.priority = priority
        self.notes: list[str] = []

    @event(Noted)
    def note(self, text: str) -> None:
        self.notes.append(text)


class Jobs(Application[UUID]):
    def submit(self, *names: str) -> list[UUID]:
        jobs = [Job(name, "high") for name in names]
        self.save(*jobs)
        return [job.id for job in jobs]

    def note(self, job_id: UUID, text: str) -> None:
        job: Job = self.repository.get(job_id)
        job.note(text)
        self.save(job)


def translator(jobs: Jobs) -> Translate:
    """Job.Submitted becomes JobSubmitted; Job.Noted is internal."""

    def translate(notification: Notification, event_id: str) -> IntegrationEvent | None:
        domain_event = jobs.mapper.to_domain_event(notification)
        if not isinstance(domain_event, Job.Submitted):
            return None
        return JobSubmitted(
            event_id=event_id,
            occurred_at=domain_event.timestamp,
            job_id=str(domain_event.originator_id),
            tenant_id="tenant-1",
            job_profile="train",
            cluster_profile="small",
            priority=domain_event.priority,
            name=domain_event.name,
            timeout_seconds=600,
            submitted_at=domain_event.timestamp,
        )

    return translate


class EventsSpy:
    """The events client, recording PutEvents calls; `rejects(call, index)` fails entries."""

    def __init__(self, events: Any, rejects: Callable[[int, int], bool] = lambda c, i: False):
        self._events = events
        self.rejects = rejects
        self.calls: list[list[dict[str, Any]]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        call = len(self.calls)
        self.calls.append(Entries)
        passed = [entry for i, entry in enumerate(Entries) if not self.rejects(call, i)]
        accepted = iter(self._events.put_events(Entries=passed)["Entries"] if passed else [])
        results = [
            {"ErrorCode": "InternalFailure", "ErrorMessage": "injected"}
            if self.rejects(call, i)
            else next(accepted)
            for i in range(len(Entries))
        ]
        return {"FailedEntryCount": sum("ErrorCode" in r for r in results), "Entries": results}


class CrashingPositions(DynamoDBPositions):
    """Positions whose first `crashes` saves raise, as if the process died before writing."""

    def __init__(self, client: Any, table_name: str, crashes: int = 1) -> None:
        super().__init__(client, table_name)
        self.crashes = crashes
        self.saves = 0

    def save(self, shard_id: str, sequence_number: str) -> None:
        self.saves += 1
        if self.saves <= self.crashes:
            raise RuntimeError("crashed after PutEvents, before recording the position")
        super().save(shard_id, sequence_number)


@dataclass
class Service:
    """The job service's store, its relay's clients, and a tap on the bus it publishes to."""

    jobs: Jobs
    table: str
    tap: BusTap
    endpoint_url: str

    @classmethod
    def create(cls, endpoint_url: str) -> Service:
        """A job service on a new table, publishing to a new bus."""
        table = unique_name("job-service")
        env = {
            "PERSISTENCE_MODULE": "backbone.eventstore",
            "DYNAMODB_TABLE": table,
            "DYNAMODB_ENDPOINT_URL": endpoint_url,
            "CREATE_TABLE": "y",
        }
        return cls(Jobs(env=env), table, BusTap.create(endpoint_url), endpoint_url)

    def clients(self) -> tuple[Any, Any]:
        return client("dynamodb", self.endpoint_url), client("dynamodbstreams", self.endpoint_url)

    def relay(self, events: Any = None) -> Relay:
        events = events or self.tap.events
        publisher = EventBridgePublisher(events, self.tap.bus_name, base_delay=0.001)
        return Relay(translator(self.jobs), publisher, namespace="job-service")

    def poller(self, events: Any = None, *, crashes: int = 0) -> StreamPoller:
        dynamodb, streams = self.clients()
        positions = CrashingPositions(dynamodb, self.table, crashes)
        return StreamPoller(self.relay(events), dynamodb, streams, self.table, positions=positions)

    def expected(self) -> list[IntegrationEvent]:
        """What the relay should publish: every translated notification, in order."""
        translate = translator(self.jobs)
        notifications = self.jobs.recorder.select_notifications(start=1, limit=1000)
        found = [
            translate(
                n, derived_event_id("job-service", str(n.originator_id), n.originator_version)
            )
            for n in notifications
        ]
        return [event for event in found if event is not None]

    def stream_records(self) -> tuple[str, list[dict[str, Any]]]:
        """The shard id and every record of the table's stream, as boto3 returns them."""
        dynamodb, streams = self.clients()
        arn = dynamodb.describe_table(TableName=self.table)["Table"]["LatestStreamArn"]
        [shard] = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        where = {"StreamArn": arn, "ShardId": shard["ShardId"], "ShardIteratorType": "TRIM_HORIZON"}
        iterator = streams.get_shard_iterator(**where)["ShardIterator"]
        return shard["ShardId"], streams.get_records(ShardIterator=iterator)["Records"]


@pytest.fixture
def service(emulator: Emulator) -> Service:
    return Service.create(emulator.endpoint_url)


def test_stored_events_come_out_on_the_bus_as_their_translations_in_order(service: Service) -> None:
    # Given jobs submitted, one of them noted (internal), then another submitted
    first, *_ = service.jobs.submit("a", "b", "c")
    service.jobs.note(first, "internal only")
    service.jobs.submit("d")
    # When the poller relays
    relayed = service.poller().poll_once()
    # Then exactly the four JobSubmitted arrive, in order, under the job service's source
    envelopes = service.tap.envelopes()
    assert relayed == 4
    assert {envelope["source"] for envelope in envelopes} == {JOB_SERVICE_SOURCE}
    assert len(envelopes) == 4
    assert service.tap.envelopes() == []  # nothing else: not the Noted event
    published = [JobSubmitted.model_validate(envelope["detail"]) for envelope in envelopes]
    assert published == service.expected()
    assert [event.name for event in published] == ["a", "b", "c", "d"]


def test_a_restarted_poller_resumes_after_its_recorded_position(service: Service) -> None:
    service.jobs.submit("a", "b")
    assert service.poller().poll_once() == 2
    service.jobs.submit("c")
    assert service.poller().poll_once() == 1
    assert service.tap.received() == service.expected()
    assert len(service.expected()) == 3


def test_an_idle_poller_records_no_position(service: Service) -> None:
    # Given a poller that relayed one save (and recorded its position once)
    service.jobs.submit("a")
    poller = service.poller()
    positions = poller.positions
    assert isinstance(positions, CrashingPositions)
    poller.poll_once()
    # When it polls again with nothing new but its own position write on the stream
    poller.poll_once()
    poller.poll_once()
    # Then it does not write its position again (each write would wake the next poll)
    assert positions.saves == 1


def test_25_events_in_one_save_go_out_in_3_put_events_calls(service: Service) -> None:
    service.jobs.submit(*(f"job-{n}" for n in range(25)))
    spy = EventsSpy(service.tap.events)
    assert service.poller(spy).poll_once() == 25
    assert [len(call) for call in spy.calls] == [10, 10, 5]
    assert service.tap.received() == service.expected()
