"""Messaging figures: events through store → stream → relay → bus → queue → handler on moto."""

from __future__ import annotations

import time
from collections import Counter

from backbone.eventstore import RequestMeter
from bench.pipeline_services import Demand, Submissions, store_env
from bench.report import Report
from cluster_service.subscriptions import DEFINITION as CLUSTER_SERVICE
from local_runtime.emulator import Emulator
from local_runtime.pipeline import Pipeline, ServicePlumbing

EVENTS = 200

# What each kind costs on AWS (us-east-1 on-demand list prices, USD per unit), to turn the counts
# into the control plane's own AWS cost. EventBridge bills each published event (deliveries to SQS
# targets are free); a transactional write bills two write units per item of up to 1 KB.
PRICES = {
    "DynamoDB write units": 0.625 / 1e6,
    "DynamoDB read units": 0.125 / 1e6,
    "DynamoDB Streams reads": 0.02 / 1e5,
    "EventBridge events": 1.00 / 1e6,
    "SQS requests": 0.40 / 1e6,
}
_KINDS = {
    "dynamodb.TransactWriteItems": "DynamoDB transactions",
    "dynamodb.PutItem": "DynamoDB writes",
    "dynamodb.UpdateItem": "DynamoDB writes",
    "dynamodb.GetItem": "DynamoDB reads",
    "dynamodb.Query": "DynamoDB reads",
    "dynamodbstreams.GetRecords": "DynamoDB Streams reads",
    "events.PutEvents": "PutEvents calls",
    "sqs.ReceiveMessage": "SQS receives",
    "sqs.DeleteMessageBatch": "SQS deletes",
}


def run(report: Report, emulator: Emulator) -> None:
    """Events per second end to end, and AWS requests per event by kind."""
    url = emulator.endpoint_url
    stamp = f"bench-{time.monotonic_ns()}"
    submissions = Submissions(env=store_env(url, f"{stamp}-jobs"))
    demand = Demand(env=store_env(url, f"{stamp}-demand"))
    pipeline = Pipeline(url, f"{stamp}-bus", _plumbing(submissions, demand, stamp)).create()
    meters = [pipeline.meter, submissions.factory.meter, demand.factory.meter]  # type: ignore[attr-defined]
    for meter in meters:
        meter.reset()
    started = time.perf_counter()
    for i in range(EVENTS):
        submissions.submit(f"job-{i}")
    pipeline.pump()
    elapsed = time.perf_counter() - started
    assert len(demand.jobs("small")) == EVENTS, "the pipeline lost events"
    report.add(
        "messaging", "events per second, store → handler [dynamodb-on-moto]", EVENTS / elapsed
    )
    counts = _by_kind(meters)
    counts["DynamoDB write units"] = sum(meter.write_units for meter in meters)
    for kind in sorted(counts):
        report.add("messaging", f"{kind} per event", counts[kind] / EVENTS)
    report.add("messaging", "control plane AWS cost per 1,000 events (USD)", _cost(counts) * 1000)


def _plumbing(submissions: Submissions, demand: Demand, stamp: str) -> list[ServicePlumbing]:
    return [
        ServicePlumbing(
            "job-service",
            submissions.factory.table_name,  # type: ignore[attr-defined]
            translate=submissions.translator(),
        ),
        ServicePlumbing(
            "cluster-service",
            demand.factory.table_name,  # type: ignore[attr-defined]
            definition=CLUSTER_SERVICE.with_prefix(stamp),
            handle_sqs_event=demand.consumer().handle_sqs_event,
        ),
    ]


def _by_kind(meters: list[RequestMeter]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for meter in meters:
        for name, n in meter.snapshot().items():
            if name in _KINDS:
                counts[_KINDS[name]] += n
    return counts


def _cost(counts: Counter[str]) -> float:
    """USD per event: items under 1 KB, strongly consistent reads of one unit each."""
    return (
        counts["DynamoDB write units"] * PRICES["DynamoDB write units"]
        + counts["DynamoDB reads"] * 2 * PRICES["DynamoDB read units"]
        + counts["DynamoDB Streams reads"] * PRICES["DynamoDB Streams reads"]
        + (counts["SQS receives"] + counts["SQS deletes"]) * PRICES["SQS requests"]
    ) / EVENTS + PRICES["EventBridge events"]
