"""The chaos run's parts inside the platform (throttling, deliveries) and the soak's slope."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from local_runtime.chaos.delivery import DeliveryChaos, counts
from local_runtime.chaos.throttle import Throttler
from local_runtime.soak.__main__ import slope


def _app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [])
    return [b"moto:" + environ["wsgi.input"].read()]


def _request(
    throttler: Throttler, target: str = "", path: str = "/", body: Any = None, method: str = "POST"
) -> tuple[str, Any]:
    raw = b"" if body is None else json.dumps(body).encode()
    environ = {
        "PATH_INFO": path,
        "REQUEST_METHOD": method,
        "HTTP_X_AMZ_TARGET": target,
        "CONTENT_LENGTH": str(len(raw)),
        "wsgi.input": io.BytesIO(raw),
    }
    status: list[str] = []
    answer = b"".join(throttler.wrap(_app)(environ, lambda s, h: status.append(s)))
    text = answer.decode()
    return status[0], json.loads(text) if not text.startswith("moto:") else text


def test_an_idle_throttler_lets_every_call_through() -> None:
    throttler = Throttler()
    assert _request(throttler, "AWSEvents.PutEvents", body={"Entries": []}) == (
        "200 OK",
        'moto:{"Entries": []}',
    )
    assert throttler.counts == dict.fromkeys(throttler.counts, 0)


def test_a_throttler_answers_as_aws_does_and_counts() -> None:
    throttler = Throttler(rate=1.0, seed=3)
    status, body = _request(throttler, "AWSEvents.PutEvents", body={})
    assert (status, body["__type"]) == ("400 Bad Request", "ThrottlingException")
    status, body = _request(throttler, "DynamoDB_20120810.Query", body={})
    assert body["__type"].endswith("#ProvisionedThroughputExceededException")
    kinds = set()
    for _ in range(20):
        items = {"TransactItems": [{"Put": {}}, {"Put": {}}, {"Update": {}}]}
        _, body = _request(throttler, "DynamoDB_20120810.TransactWriteItems", body=items)
        kinds.add(body["__type"].split("#")[-1])
        if "CancellationReasons" in body:
            codes = [reason["Code"] for reason in body["CancellationReasons"]]
            assert codes == ["TransactionConflict", "None", "None"]
    assert kinds == {"TransactionCanceledException", "ProvisionedThroughputExceededException"}
    # SQS and the rest are never throttled
    assert _request(throttler, "AmazonSQS.ReceiveMessage", body={})[0] == "200 OK"
    assert throttler.counts["put_events_throttled"] == 1


def test_the_throttle_is_switched_and_read_over_http() -> None:
    throttler = Throttler()
    assert _request(throttler, path="/local-chaos/throttle", body={"rate": 0.5, "seed": 1}) == (
        "200 OK",
        {"rate": 0.5},
    )
    assert throttler.rate == 0.5
    status, body = _request(throttler, path="/local-chaos/throttle", body={"rate": 2})
    assert status == "400 Bad Request" and "between 0 and 1" in body["error"]
    assert throttler.rate == 0.5
    status, body = _request(throttler, path="/local-chaos/stats", method="GET")
    assert body["rate"] == 0.5 and set(body["throttled"]) == set(throttler.counts)


def _messages(n: int, receives: int = 1) -> list[dict[str, Any]]:
    return [
        {"MessageId": str(i), "Attributes": {"ApproximateReceiveCount": str(receives)}}
        for i in range(n)
    ]


def test_delivery_chaos_is_off_unless_configured_and_rejects_bad_settings() -> None:
    assert DeliveryChaos.from_env({}) is None
    chaos = DeliveryChaos.from_env({"CHAOS_DELIVERY": "duplicate=0.1,delay=0.2,seed=4"})
    assert chaos is not None and (chaos.duplicate, chaos.delay, chaos.seed) == (0.1, 0.2, 4)
    with pytest.raises(ValueError, match="between 0 and 1"):
        DeliveryChaos.from_env({"CHAOS_DELIVERY": "duplicate=2"})
    with pytest.raises(ValueError, match="unknown"):
        DeliveryChaos.from_env({"CHAOS_DELIVERY": "drop=0.1"})


def test_delivery_chaos_never_drops_and_touches_a_message_once(tmp_path: Path) -> None:
    chaos = DeliveryChaos(duplicate=0.5, delay=0.5, reorder=1.0, seed=2)
    batch = _messages(10)
    arranged = chaos.arrange(batch)
    assert arranged.delayed and arranged.now
    ids = [m["MessageId"] for m in arranged.now] + [m["MessageId"] for m, _ in arranged.delayed]
    assert sorted(ids) == sorted(m["MessageId"] for m in batch)
    assert arranged.reordered and [m["MessageId"] for m in arranged.now] != sorted(
        m["MessageId"] for m in arranged.now
    )
    assert chaos.duplicates(_messages(10))
    # A message already received before is neither held back nor duplicated again
    again = chaos.arrange(_messages(10, receives=2))
    assert not again.delayed and not chaos.duplicates(_messages(10, receives=2))
    # And once the stop file exists, deliveries are left alone
    chaos.stop_file = tmp_path / "stop"
    chaos.stop_file.touch()
    assert chaos.arrange(batch).now == batch and not chaos.duplicates(batch)


def test_delivery_counts_add_up_the_logged_lines() -> None:
    log = (
        "x INFO chaos delivery duplicated=2 delayed=0 reordered=1\n"
        "y INFO chaos delivery duplicated=0 delayed=3 reordered=0\n"
    )
    assert counts(log) == {"duplicated": 2, "delayed": 3, "reordered": 1}


def test_the_soak_slope_is_least_squares_in_mb_per_minute() -> None:
    assert slope([(0, 100), (1, 102), (2, 104)]) == pytest.approx(2.0)
    assert slope([(0, 100)]) == 0.0
    assert slope([(0, 100), (1, 90), (2, 100)]) == pytest.approx(0.0)
