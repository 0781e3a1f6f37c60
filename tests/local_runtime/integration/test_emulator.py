"""The emulator against real boto3 clients: DynamoDB serialized, everything else concurrent."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from local_runtime.emulator import Emulator, client

pytestmark = pytest.mark.emulator

RACERS = 8
ROUNDS = 40


def _racer(ddb: Any, table: str, pk: str, racer: int, barrier: threading.Barrier) -> bool:
    """Try to create the item; True if this racer won."""
    item = {"pk": {"S": pk}, "sk": {"N": "1"}, "racer": {"N": str(racer)}}
    put = {"TableName": table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}
    barrier.wait()
    try:
        ddb.transact_write_items(TransactItems=[{"Put": put}])
    except ddb.exceptions.TransactionCanceledException as error:
        codes = [r["Code"] for r in error.response["CancellationReasons"]]
        assert codes == ["ConditionalCheckFailed"]
        return False
    return True


def test_racing_conditional_transactions_have_exactly_one_winner(
    local_emulator: Emulator, ddb: Any, event_table: str
) -> None:
    clients = [client("dynamodb", local_emulator.endpoint_url) for _ in range(RACERS)]
    with ThreadPoolExecutor(RACERS) as pool:
        for round_ in range(ROUNDS):
            pk, barrier = f"race-{round_}", threading.Barrier(RACERS)
            futures = [
                pool.submit(_racer, clients[i], event_table, pk, i, barrier) for i in range(RACERS)
            ]
            winners = [i for i, future in enumerate(futures) if future.result()]
            assert len(winners) == 1, f"round {round_}: winners {winners}"
            key = {"pk": {"S": pk}, "sk": {"N": "1"}}
            stored = ddb.get_item(TableName=event_table, Key=key, ConsistentRead=True)["Item"]
            assert stored["racer"] == {"N": str(winners[0])}


def test_an_sqs_long_poll_does_not_hold_up_dynamodb(
    local_emulator: Emulator, ddb: Any, event_table: str
) -> None:
    sqs = client("sqs", local_emulator.endpoint_url)
    queue_url = sqs.create_queue(QueueName=f"{event_table}-empty")["QueueUrl"]
    poller = threading.Thread(
        target=sqs.receive_message, kwargs={"QueueUrl": queue_url, "WaitTimeSeconds": 2}
    )
    poller.start()
    time.sleep(0.3)
    started = time.monotonic()
    ddb.put_item(TableName=event_table, Item={"pk": {"S": "p"}, "sk": {"N": "1"}})
    elapsed = time.monotonic() - started
    poll_was_in_flight = poller.is_alive()
    poller.join()
    assert elapsed < 1.5
    assert poll_was_in_flight


def test_cancellation_reasons_carry_codes_and_the_old_item(ddb: Any, event_table: str) -> None:
    old = {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "old"}}
    ddb.put_item(TableName=event_table, Item=old)
    fresh = {"TableName": event_table, "Item": {"pk": {"S": "b"}, "sk": {"N": "1"}}}
    clash = {
        "TableName": event_table,
        "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "new"}},
        "ConditionExpression": "attribute_not_exists(pk)",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as caught:
        ddb.transact_write_items(TransactItems=[{"Put": fresh}, {"Put": clash}])
    reasons = caught.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "ConditionalCheckFailed"]
    assert reasons[1]["Item"] == old


def test_port_zero_binds_a_free_port_and_stop_releases_it() -> None:
    with Emulator(port=0) as emulator:
        port = emulator.port
        assert port != 0
        assert emulator.endpoint_url == f"http://127.0.0.1:{port}"
    with Emulator(port=port) as again:
        assert again.port == port
