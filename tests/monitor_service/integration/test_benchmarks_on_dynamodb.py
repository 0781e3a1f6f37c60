"""The monitor's replay benchmark on the DynamoDB event store (small)."""

from __future__ import annotations

from bench.monitor import replay_benchmark
from local_runtime.emulator import Emulator


def test_the_replay_benchmark_runs_on_dynamodb(emulator: Emulator, table: str) -> None:
    env = {
        "PERSISTENCE_MODULE": "backbone.eventstore",
        "DYNAMODB_TABLE": table,
        "DYNAMODB_ENDPOINT_URL": emulator.endpoint_url,
    }
    assert replay_benchmark(events=120, env=env) > 0
