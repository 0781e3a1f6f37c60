"""The shape of a service's event-store table, and the start-up check that it is usable."""

from __future__ import annotations

import contextlib
from typing import Any

PARTITION_KEY = "pk"
SORT_KEY = "sk"


class EventStoreTableError(RuntimeError):
    """The configured event-store table is missing or has the wrong shape."""


def table_definition(table_name: str) -> dict[str, Any]:
    """CreateTable arguments; the SAM templates declare the same keys and stream view."""
    return {
        "TableName": table_name,
        "AttributeDefinitions": [
            {"AttributeName": PARTITION_KEY, "AttributeType": "S"},
            {"AttributeName": SORT_KEY, "AttributeType": "N"},
        ],
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    }


def create_table(client: Any, table_name: str) -> None:
    """Create the table if it does not exist and wait until it is active."""
    with contextlib.suppress(client.exceptions.ResourceInUseException):
        client.create_table(**table_definition(table_name))
    client.get_waiter("table_exists").wait(
        TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
    )


def verify_table(client: Any, table_name: str, setting: str) -> None:
    """Fail at start-up, naming the table and the setting, unless the table fits."""
    try:
        table = client.describe_table(TableName=table_name)["Table"]
    except client.exceptions.ResourceNotFoundException:
        raise EventStoreTableError(
            f"event-store table {table_name!r} does not exist: create it (make run and the "
            f"SAM template do) or set {setting} to the name of an existing table"
        ) from None
    expected = {(PARTITION_KEY, "HASH"), (SORT_KEY, "RANGE")}
    found = {(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]}
    types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    if found != expected or types.get(PARTITION_KEY) != "S" or types.get(SORT_KEY) != "N":
        raise EventStoreTableError(
            f"table {table_name!r} (from {setting}) is not an event-store table: it needs "
            f"partition key {PARTITION_KEY!r} (S) and sort key {SORT_KEY!r} (N), found "
            f"{sorted(found)}"
        )
