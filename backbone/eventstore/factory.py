"""The eventsourcing infrastructure factory for a service's DynamoDB event-store table.

Settings (eventsourcing's Environment: `<APP_NAME>_<KEY>` wins over `<KEY>`):

- DYNAMODB_TABLE: the table name (required).
- DYNAMODB_ENDPOINT_URL: an emulator's URL; unset on AWS.
- AWS_REGION (or AWS_DEFAULT_REGION): the table's region.
- CREATE_TABLE: "y" creates the table if missing (local runs and tests); otherwise the table
  is checked at start-up and a missing or misshapen one is reported by name.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    InfrastructureFactory,
    ProcessRecorder,
)
from eventsourcing.utils import Environment, EnvType, resolve_topic, strtobool

from backbone.eventstore.metering import RequestMeter
from backbone.eventstore.notification_log import (
    DynamoDBApplicationRecorder,
    DynamoDBProcessRecorder,
)
from backbone.eventstore.recorders import DynamoDBAggregateRecorder, DynamoDBTrackingRecorder
from backbone.eventstore.table import EventStoreTableError, create_table, verify_table


class DynamoDBFactory(InfrastructureFactory[DynamoDBTrackingRecorder]):
    """Builds recorders that share one boto3 client, one request meter and one table."""

    DYNAMODB_TABLE = "DYNAMODB_TABLE"
    DYNAMODB_ENDPOINT_URL = "DYNAMODB_ENDPOINT_URL"
    CREATE_TABLE = "CREATE_TABLE"

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        setting = " or ".join(self.env.create_keys(self.DYNAMODB_TABLE))
        table_name = self.env.get(self.DYNAMODB_TABLE)
        if not table_name:
            raise EventStoreTableError(f"no event-store table configured: set {setting}")
        self.table_name = table_name
        self.meter = RequestMeter()
        self.client = self.meter.attach(self._client())
        if strtobool(self.env.get(self.CREATE_TABLE, "no")):
            create_table(self.client, table_name)
        else:
            verify_table(self.client, table_name, setting)

    def _client(self) -> Any:
        region = self.env.get("AWS_REGION") or self.env.get("AWS_DEFAULT_REGION") or "us-east-1"
        return boto3.client(
            "dynamodb",
            region_name=region,
            endpoint_url=self.env.get(self.DYNAMODB_ENDPOINT_URL) or None,
            config=Config(retries={"max_attempts": 5, "mode": "standard"}),
        )

    def aggregate_recorder(self, purpose: str = "events") -> AggregateRecorder:
        return DynamoDBAggregateRecorder(self.client, self.table_name, purpose=purpose)

    def application_recorder(self) -> ApplicationRecorder:
        return DynamoDBApplicationRecorder(self.client, self.table_name)

    def tracking_recorder(
        self, tracking_recorder_class: type[DynamoDBTrackingRecorder] | None = None
    ) -> DynamoDBTrackingRecorder:
        if tracking_recorder_class is None:
            topic = self.env.get(self.TRACKING_RECORDER_TOPIC)
            tracking_recorder_class = resolve_topic(topic) if topic else DynamoDBTrackingRecorder
        assert tracking_recorder_class is not None
        return tracking_recorder_class(self.client, self.table_name)

    def process_recorder(self) -> ProcessRecorder:
        return DynamoDBProcessRecorder(self.client, self.table_name)

    def close(self) -> None:
        self.client.close()
