"""The Lambda entry points (services/<name>/functions.py), on the emulator, as Lambda calls them."""

from __future__ import annotations

import importlib
import json
from types import ModuleType
from typing import Any

import pytest

from backbone.http.authorizer import OperatorKeyAuthorizer
from local_runtime.emulator import Emulator, client
from tests.deploy.templates import SERVICES
from tests.support import fresh_table, unique_name

TABLE_SETTING = {
    "job_service": "JOB_SERVICE_TABLE",
    "cluster_service": "CLUSTER_SERVICE_TABLE",
    "monitor_service": "MONITOR_SERVICE_TABLE",
}


def functions_of(
    service: str, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, bus: str = "unused"
) -> tuple[ModuleType, str]:
    """The service's functions module, as in a fresh execution environment; and its table."""
    table = fresh_table(service.split("_")[0])
    monkeypatch.setenv(TABLE_SETTING[service], table)
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator.endpoint_url)
    monkeypatch.setenv("BUS_NAME", bus)
    module = importlib.import_module(f"{service}.functions")
    module.entry_points.reset()
    return module, table


@pytest.mark.parametrize("service", SERVICES)
def test_the_tick_answers_what_it_did_as_json(
    service: str, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    functions, _ = functions_of(service, emulator, monkeypatch)
    answer = functions.tick({"source": "aws.events", "detail-type": "Scheduled Event"}, None)
    assert json.loads(json.dumps(answer)) == answer


@pytest.mark.parametrize("service", SERVICES)
def test_the_consumer_reports_a_message_it_cannot_read_and_only_that_one(
    service: str, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    functions, _ = functions_of(service, emulator, monkeypatch)
    records = [{"messageId": "bad", "body": "not an event", "attributes": {}}]
    assert functions.consume({"Records": records}, None) == {
        "batchItemFailures": [{"itemIdentifier": "bad"}]
    }
    assert functions.consume({"Records": []}, None) == {"batchItemFailures": []}


@pytest.mark.parametrize("service", SERVICES)
def test_the_relay_skips_records_that_are_not_stored_events(
    service: str, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    functions, _ = functions_of(service, emulator, monkeypatch)
    counter = {
        "eventName": "MODIFY",
        "dynamodb": {"Keys": {"pk": {"S": "notification-counter"}}, "SequenceNumber": "1"},
    }
    assert functions.relay({"Records": [counter]}, None) == {"batchItemFailures": []}


def test_the_monitors_heartbeat_goes_from_its_table_through_the_relay_to_the_bus(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, bus = emulator.endpoint_url, unique_name("bus")
    queue_url = _listening_queue(url, bus)
    functions, table = functions_of("monitor_service", emulator, monkeypatch, bus)

    functions.tick({}, None)  # saves the monitor's own heartbeat
    answer = functions.relay({"Records": _stream_records(url, table)}, None)

    assert answer == {"batchItemFailures": []}
    received = client("sqs", url).receive_message(QueueUrl=queue_url, WaitTimeSeconds=2)
    (message,) = received["Messages"]
    envelope = json.loads(message["Body"])
    assert (envelope["source"], envelope["detail-type"]) == (
        "emr-control-plane.monitor-service",
        "Heartbeat",
    )


def _listening_queue(url: str, bus: str) -> str:
    """A queue that receives everything on a new bus."""
    events, sqs = client("events", url), client("sqs", url)
    events.create_event_bus(Name=bus)
    queue_url = sqs.create_queue(QueueName=unique_name("heard"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    pattern = json.dumps({"source": [{"prefix": "emr-control-plane."}]})
    events.put_rule(Name="everything", EventBusName=bus, EventPattern=pattern)
    target = {"Id": "queue", "Arn": arn["Attributes"]["QueueArn"]}
    events.put_targets(Rule="everything", EventBusName=bus, Targets=[target])
    return str(queue_url)


def _stream_records(url: str, table: str) -> list[dict[str, Any]]:
    """Every record of the table's stream so far (one shard in moto)."""
    stream_arn = client("dynamodb", url).describe_table(TableName=table)["Table"]["LatestStreamArn"]
    streams = client("dynamodbstreams", url)
    (shard,) = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(
        StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records: list[dict[str, Any]] = streams.get_records(ShardIterator=iterator)["Records"]
    return records


@pytest.mark.parametrize("service", ["job_service", "cluster_service", "monitor_service"])
def test_the_authorizer_names_the_operator_whose_key_is_sent_and_refuses_others(
    service: str, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    parameter = f"/{unique_name('keys')}/operator-api-keys"
    client("ssm", emulator.endpoint_url).put_parameter(
        Name=parameter, Type="SecureString", Value="alice=alice-key-123,bob=bob-key-4567"
    )
    functions, _ = functions_of(service, emulator, monkeypatch)
    monkeypatch.setenv("OPERATOR_API_KEYS_PARAMETER", parameter)
    monkeypatch.setattr(functions, "_authorizer", OperatorKeyAuthorizer())
    method = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/api/GET/pools/small"

    answer = functions.authorize({"headers": {"x-api-key": "bob-key-4567"}, "methodArn": method})

    assert answer["principalId"] == answer["context"]["operator_id"] == "bob"
    (statement,) = answer["policyDocument"]["Statement"]
    assert statement["Resource"] == "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/api/*"
    for headers in ({"X-Api-Key": "mallory-key-1"}, {}):
        with pytest.raises(PermissionError, match=r"^Unauthorized$"):
            functions.authorize({"headers": headers, "methodArn": method})
