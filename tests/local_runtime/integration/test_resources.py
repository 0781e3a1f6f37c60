"""create_local_resources: tables with streams and the custom bus, idempotently."""

from __future__ import annotations

import pytest

from local_runtime.emulator import Emulator, client
from local_runtime.resources import create_local_resources
from local_runtime.settings import LocalSettings

from .support import unique

pytestmark = pytest.mark.emulator


def test_creates_tables_with_streams_and_the_bus_twice(local_emulator: Emulator) -> None:
    settings = LocalSettings(
        bus_name=unique("bus"),
        job_table=unique("job"),
        cluster_table=unique("cluster"),
        monitor_table=unique("monitor"),
    )
    first = create_local_resources(local_emulator.endpoint_url, settings)
    second = create_local_resources(local_emulator.endpoint_url, settings)
    assert first == second
    assert first.tables == settings.tables
    ddb = client("dynamodb", local_emulator.endpoint_url)
    for name in settings.tables:
        table = ddb.describe_table(TableName=name)["Table"]
        assert table["TableStatus"] == "ACTIVE"
        assert table["StreamSpecification"]["StreamEnabled"] is True
        assert table["LatestStreamArn"]
    events = client("events", local_emulator.endpoint_url)
    bus = events.describe_event_bus(Name=settings.bus_name)
    assert bus["Arn"] == first.bus_arn
    assert bus["Name"] == settings.bus_name
