"""eventsourcing's own recorder suites, run against the DynamoDB recorders on the emulator.

Where a suite's test cannot hold on DynamoDB it is overridden here with the strongest test that
can, and the comment says why. The one limit that bites: TransactWriteItems takes at most 100
items, and an application recorder writes two items per event plus the notification counter,
so one save holds at most 49 events (48 with a tracking position).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Event, Thread
from typing import Any
from uuid import uuid4

from eventsourcing.persistence import StoredEvent
from eventsourcing.tests.persistence import (
    AggregateRecorderTestCase,
    ApplicationRecorderTestCase,
    InfrastructureFactoryTestCase,
    NonInterleavingNotificationIDsBaseCase,
    ProcessRecorderTestCase,
    TrackingRecorderTestCase,
)
from eventsourcing.utils import Environment

from backbone.eventstore import (
    DynamoDBAggregateRecorder,
    DynamoDBApplicationRecorder,
    DynamoDBFactory,
    DynamoDBProcessRecorder,
    DynamoDBTrackingRecorder,
)
from tests.support import dynamodb_client, fresh_table, shared_emulator, use_dummy_aws_credentials

MAX_EVENTS_PER_SAVE = 49


def setUpModule() -> None:
    use_dummy_aws_credentials()


class TestDynamoDBAggregateRecorder(AggregateRecorderTestCase):
    def create_recorder(self) -> DynamoDBAggregateRecorder:
        return DynamoDBAggregateRecorder(dynamodb_client(), fresh_table())


class TestDynamoDBApplicationRecorder(ApplicationRecorderTestCase[DynamoDBApplicationRecorder]):
    def create_recorder(self) -> DynamoDBApplicationRecorder:
        return DynamoDBApplicationRecorder(dynamodb_client(), fresh_table(), poll_interval=0.02)

    def test_insert_subscribe(self) -> None:
        # The suite leaves this one optional; the polling subscription supports it.
        self.optional_test_insert_subscribe()

    def test_concurrent_no_conflicts(self, initial_position: int = 0) -> None:
        # The suite writes 100 events per save, more than one transaction holds. Same shape
        # (10 writers, 2 readers polling the log), saves of the largest size that fits, and a
        # stronger end check: the log is exactly 1..N with every event in it once.
        recorder = self.create_recorder()
        writes, errors, stop = 12, [], Event()

        def save() -> None:
            oid = uuid4()
            recorder.insert_events([_event(oid, v) for v in range(MAX_EVENTS_PER_SAVE)])

        def read() -> None:
            while not stop.is_set():
                try:
                    recorder.select_notifications(start=0, limit=10, inclusive_of_start=False)
                    stop.wait(0.01)
                except Exception as e:  # pragma: no cover - reported below
                    errors.append(e)
                    return

        readers = [Thread(target=read) for _ in range(2)]
        for r in readers:
            r.start()
        with ThreadPoolExecutor(max_workers=10) as pool:
            for f in [pool.submit(save) for _ in range(writes)]:
                f.result()
        stop.set()
        for r in readers:
            r.join()
        self.assertEqual(errors, [])
        total = writes * MAX_EVENTS_PER_SAVE
        log = recorder.select_notifications(start=None, limit=total + 10)
        self.assertEqual([n.id for n in log], list(range(1, total + 1)))
        self.assertEqual(len({(n.originator_id, n.originator_version) for n in log}), total)

    def test_concurrent_throughput(self) -> None:
        # The suite saves 50 events at a time, one more than a transaction holds.
        recorder = self.create_recorder()

        def save() -> Any:
            oid = uuid4()
            return recorder.insert_events([_event(oid, v) for v in range(MAX_EVENTS_PER_SAVE)])

        with ThreadPoolExecutor(max_workers=4) as pool:
            results = [f.result() for f in [pool.submit(save) for _ in range(10)]]
        ids = sorted(i for r in results for i in r)
        self.assertEqual(ids, list(range(1, 10 * MAX_EVENTS_PER_SAVE + 1)))


class TestDynamoDBTrackingRecorder(TrackingRecorderTestCase):
    def create_recorder(self) -> DynamoDBTrackingRecorder:
        return DynamoDBTrackingRecorder(dynamodb_client(), fresh_table())


class TestDynamoDBProcessRecorder(ProcessRecorderTestCase):
    def create_recorder(self) -> DynamoDBProcessRecorder:
        return DynamoDBProcessRecorder(dynamodb_client(), fresh_table())


class TestNonInterleavingNotificationIDs(NonInterleavingNotificationIDsBaseCase):
    # The suite races two saves of 1,000 events; one transaction holds 49.
    insert_num = MAX_EVENTS_PER_SAVE

    def create_recorder(self) -> DynamoDBApplicationRecorder:
        return DynamoDBApplicationRecorder(dynamodb_client(), fresh_table())


class CustomTrackingRecorder(DynamoDBTrackingRecorder):
    pass


class TestDynamoDBInfrastructureFactory(InfrastructureFactoryTestCase[DynamoDBFactory]):
    def setUp(self) -> None:
        self.env = Environment(
            "TestApp",
            {
                "PERSISTENCE_MODULE": "backbone.eventstore",
                "DYNAMODB_TABLE": fresh_table(),
                "DYNAMODB_ENDPOINT_URL": shared_emulator().endpoint_url,
                "CREATE_TABLE": "y",
            },
        )
        super().setUp()

    def expected_factory_class(self) -> type[DynamoDBFactory]:
        return DynamoDBFactory

    def expected_aggregate_recorder_class(self) -> type[DynamoDBAggregateRecorder]:
        return DynamoDBAggregateRecorder

    def expected_application_recorder_class(self) -> type[DynamoDBApplicationRecorder]:
        return DynamoDBApplicationRecorder

    def expected_tracking_recorder_class(self) -> type[DynamoDBTrackingRecorder]:
        return DynamoDBTrackingRecorder

    def tracking_recorder_subclass(self) -> type[DynamoDBTrackingRecorder]:
        return CustomTrackingRecorder

    def expected_process_recorder_class(self) -> type[DynamoDBProcessRecorder]:
        return DynamoDBProcessRecorder


def _event(oid: Any, version: int) -> StoredEvent:
    return StoredEvent(originator_id=oid, originator_version=version, topic="topic", state=b"s")


del AggregateRecorderTestCase, ApplicationRecorderTestCase, TrackingRecorderTestCase
del ProcessRecorderTestCase, NonInterleavingNotificationIDsBaseCase, InfrastructureFactoryTestCase
