"""The emulator's fixes for moto: transaction rollback is faithful, streams keep flowing, a
Query reads only its partition, and nothing moto is done with stays in memory."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from backbone.eventstore import create_table
from local_runtime.emulator import Emulator, client
from local_runtime.moto_patches import SHARD_ITERATOR_SECONDS, ExpiringIterators, WeakInstances
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


class _Untouchable:
    """An item no Query of another partition may list: any look at it fails the test."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a Query read {name} of an item in another partition")


def _moto_table(name: str) -> Any:
    from moto.backends import get_backend
    from moto.core import DEFAULT_ACCOUNT_ID

    return get_backend("dynamodb")[DEFAULT_ACCOUNT_ID]["us-east-1"].get_table(name)


def test_a_query_lists_only_its_partition(emulator: Emulator) -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    # Given a table with items in two partitions, and a third no Query may look at
    dynamodb = client("dynamodb", emulator.endpoint_url)
    table = unique_name("partition")
    create_table(dynamodb, table)
    for pk, count in (("a", 30), ("b", 5)):
        for sk in range(count):
            item = {"pk": {"S": pk}, "sk": {"N": str(sk)}, "v": {"S": f"{pk}{sk}"}}
            dynamodb.put_item(TableName=table, Item=item)
    moto_table = _moto_table(table)
    moto_table.items[DynamoType({"S": "x"})] = {DynamoType({"N": "0"}): _Untouchable()}
    try:
        # When partition "a" is queried with a range condition, newest first, a page at a time
        pages, start = [], None
        while True:
            kwargs = {"ExclusiveStartKey": start} if start else {}
            answer = dynamodb.query(
                TableName=table,
                KeyConditionExpression="pk = :pk AND sk >= :from",
                ExpressionAttributeValues={":pk": {"S": "a"}, ":from": {"N": "10"}},
                ScanIndexForward=False,
                Limit=7,
                **kwargs,
            )
            pages.append([int(item["sk"]["N"]) for item in answer["Items"]])
            start = answer.get("LastEvaluatedKey")
            if start is None:
                break
        # Then it answers exactly that partition's items, in order, and never lists the others
        assert [sk for page in pages for sk in page] == list(range(29, 9, -1))
        assert max(len(page) for page in pages) == 7
        b = dynamodb.query(
            TableName=table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "b"}},
        )
        assert [item["v"]["S"] for item in b["Items"]] == [f"b{sk}" for sk in range(5)]
        nothing = dynamodb.query(
            TableName=table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "none"}},
        )
        assert nothing["Items"] == []
        assert DynamoType({"S": "none"}) not in moto_table.items
    finally:
        del moto_table.items[DynamoType({"S": "x"})]


def _live_tracked(model: Any) -> int:
    gc.collect()
    return sum(1 for _ in model.instances_tracked)


def test_rollback_backups_are_freed_once_their_transaction_is_over(setup) -> None:
    from moto.dynamodb.models.table import Table

    dynamodb, _, table, _ = setup
    before = _live_tracked(Table)
    # When many transactions commit and many are cancelled
    for n in range(40):
        dynamodb.transact_write_items(TransactItems=[_put(table, f"ok{n}"), _bump(table, n + 1)])
        with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
            dynamodb.transact_write_items(TransactItems=[_put(table, f"no{n}"), _bump(table, 0)])
    # Then no table copy made as a backup outlives its transaction (moto kept each of them)
    assert _live_tracked(Table) <= before + 1


def test_deleted_queue_messages_and_used_shard_iterators_are_freed(setup, emulator) -> None:
    from moto.dynamodbstreams.models import ShardIterator
    from moto.sqs.models import Message

    _, streams, _, iterator = setup
    sqs = client("sqs", emulator.endpoint_url)
    url = sqs.create_queue(QueueName=unique_name("freed"))["QueueUrl"]
    # The emulator is shared: other tests' queued messages and iterators are still live
    messages_before, iterators_before = _live_tracked(Message), _live_tracked(ShardIterator)
    for n in range(30):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{n}")
        for message in sqs.receive_message(QueueUrl=url).get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        iterator = _read(streams, iterator)[1]
    # Then the messages are gone from memory, not only from the queue
    assert _live_tracked(Message) <= messages_before + 1
    # And the shard iterators still valid are tracked, nothing more (moto kept every one)
    assert _live_tracked(ShardIterator) <= iterators_before + 40


def test_an_expired_shard_iterator_is_refused_as_aws_refuses_it(setup, emulator) -> None:
    _, streams, _, iterator = setup
    from moto.backends import get_backend
    from moto.core import DEFAULT_ACCOUNT_ID

    backend = get_backend("dynamodbstreams")[DEFAULT_ACCOUNT_ID]["us-east-1"]
    del backend.shard_iterators[iterator]  # what 15 minutes unused do
    with pytest.raises(streams.exceptions.ExpiredIteratorException):
        streams.get_records(ShardIterator=iterator)


def test_shard_iterators_expire_after_fifteen_minutes() -> None:
    now = [0.0]
    iterators = ExpiringIterators(clock=lambda: now[0])
    iterators["a"] = 1
    now[0] = 600.0
    iterators["b"] = 2
    now[0] = SHARD_ITERATOR_SECONDS + 1
    iterators["c"] = 3
    assert list(iterators) == ["b", "c"]


def test_weak_instances_list_the_live_ones_and_sweep_the_dead() -> None:
    class Model:
        pass

    kept = [Model() for _ in range(3)]
    tracked = WeakInstances(kept)
    for _ in range(500):
        tracked.append(Model())
    gc.collect()
    assert list(tracked) == kept
    assert len(tracked._refs) < 200


def test_stream_records_past_their_retention_are_dropped_and_reading_goes_on(
    setup, monkeypatch
) -> None:
    import time

    from local_runtime import moto_patches

    dynamodb, streams, table, iterator = setup
    first = streams.get_records(ShardIterator=iterator)["Records"][0]["dynamodb"]
    # When the counter's record is older than the retention and another write comes
    monkeypatch.setattr(moto_patches, "STREAM_RETENTION_SECONDS", 0.2)
    time.sleep(0.3)
    dynamodb.put_item(TableName=table, Item=_key("a"))
    # Then the stream keeps only the new record, numbered on from the old ones
    records = streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["a"]
    assert int(records[0]["dynamodb"]["SequenceNumber"]) == int(first["SequenceNumber"]) + 1
    assert len(_moto_table(table).stream_shard.items) == 1
