"""The emulator's fix for moto's transaction rollback: faithful, and streams keep flowing."""

from __future__ import annotations

from typing import Any

import pytest

from backbone.eventstore import create_table
from local_runtime.emulator import Emulator, client
from tests.support import unique_name


def _key(pk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"N": "0"}}


def _put(table: str, pk: str) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": table,
            "Item": _key(pk),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def _bump(table: str, expected: int) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table,
            "Key": _key("counter"),
            "UpdateExpression": "SET n = :next",
            "ConditionExpression": "n = :expected",
            "ExpressionAttributeValues": {
                ":next": {"N": str(expected + 1)},
                ":expected": {"N": str(expected)},
            },
        }
    }


@pytest.fixture
def setup(emulator: Emulator) -> tuple[Any, Any, str, str]:
    dynamodb = client("dynamodb", emulator.endpoint_url)
    streams = client("dynamodbstreams", emulator.endpoint_url)
    table = unique_name("patch")
    create_table(dynamodb, table)
    dynamodb.put_item(TableName=table, Item={**_key("counter"), "n": {"N": "1"}})
    arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    return dynamodb, streams, table, iterator


def _read(streams: Any, iterator: str) -> tuple[list[str], str]:
    answer = streams.get_records(ShardIterator=iterator)
    keys = [r["dynamodb"]["Keys"]["pk"]["S"] for r in answer["Records"]]
    return keys, answer["NextShardIterator"]


def test_a_cancelled_transaction_changes_nothing_and_adds_no_stream_record(setup) -> None:
    dynamodb, streams, table, iterator = setup
    # When a transaction puts an item and bumps the counter, but expects the wrong value
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(TransactItems=[_put(table, "a"), _bump(table, 7)])
    # Then neither write is there, and the stream shows only the counter's creation
    assert "Item" not in dynamodb.get_item(TableName=table, Key=_key("a"))
    counter = dynamodb.get_item(TableName=table, Key=_key("counter"))["Item"]
    assert counter["n"] == {"N": "1"}
    assert _read(streams, iterator)[0] == ["counter"]


def test_an_update_rolled_back_with_its_transaction_keeps_its_old_value(setup) -> None:
    dynamodb, _, table, _ = setup
    dynamodb.put_item(TableName=table, Item=_key("taken"))
    # When the counter bump succeeds but a put in the same transaction fails
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(TransactItems=[_bump(table, 1), _put(table, "taken")])
    # Then the counter is as it was
    counter = dynamodb.get_item(TableName=table, Key=_key("counter"))["Item"]
    assert counter["n"] == {"N": "1"}


def test_a_stream_reader_sees_writes_made_after_a_cancelled_transaction(setup) -> None:
    dynamodb, streams, table, iterator = setup
    seen, iterator = _read(streams, iterator)
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(TransactItems=[_put(table, "a"), _bump(table, 7)])
    # When a later transaction commits
    dynamodb.transact_write_items(TransactItems=[_put(table, "b"), _bump(table, 1)])
    # Then the reader holding its old iterator sees it
    later, _ = _read(streams, iterator)
    assert seen == ["counter"]
    assert later == ["b", "counter"]
