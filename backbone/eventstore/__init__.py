"""A DynamoDB persistence module for eventsourcing: `PERSISTENCE_MODULE=backbone.eventstore`."""

from backbone.eventstore.factory import DynamoDBFactory
from backbone.eventstore.metering import RequestMeter
from backbone.eventstore.notification_log import (
    AlreadyConsumed,
    DynamoDBApplicationRecorder,
    DynamoDBProcessRecorder,
    DynamoDBSubscription,
)
from backbone.eventstore.recorders import (
    DynamoDBAggregateRecorder,
    DynamoDBTrackingRecorder,
    TooManyEventsError,
)
from backbone.eventstore.table import EventStoreTableError, create_table, table_definition

Factory = DynamoDBFactory

__all__ = [
    "AlreadyConsumed",
    "DynamoDBAggregateRecorder",
    "DynamoDBApplicationRecorder",
    "DynamoDBFactory",
    "DynamoDBProcessRecorder",
    "DynamoDBSubscription",
    "DynamoDBTrackingRecorder",
    "EventStoreTableError",
    "Factory",
    "RequestMeter",
    "TooManyEventsError",
    "create_table",
    "table_definition",
]
