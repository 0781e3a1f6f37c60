"""ClusterWatch: sampling the clusters during the demo, and waiting for the pools to settle."""

from __future__ import annotations

from typing import Any

from cli.demo.clusters import ClusterWatch
from cli.exits import Unreachable

POOL = {"profile": "small", "minimum": 1, "maximum": 3, "idle_ttl_seconds": 30}


class FakeClusters:
    """GET /clusters answers the next of `samples` (the last one forever); GET /pools `pools`."""

    def __init__(self, *samples: list[dict[str, Any]], pools: list[dict[str, Any]]) -> None:
        self.samples, self.pools_answer = list(samples), pools
        self.calls = 0

    def clusters(self) -> list[dict[str, Any]]:
        self.calls += 1
        return self.samples.pop(0) if len(self.samples) > 1 else self.samples[0]

    def pools(self) -> list[dict[str, Any]]:
        return self.pools_answer


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def ready(*ids: str) -> list[dict[str, Any]]:
    return [{"cluster_id": c, "profile": "small", "state": "READY"} for c in ids]


def watch_of(api: FakeClusters, clock: Clock, notes: list[str]) -> ClusterWatch:
    watch = ClusterWatch(api, 2.0, clock, notes.append)  # type: ignore[arg-type]
    watch.start()
    return watch


def test_samples_are_taken_at_most_every_few_seconds_unless_forced() -> None:
    api, clock, notes = FakeClusters(ready("a"), pools=[POOL]), Clock(), []
    watch = watch_of(api, clock, notes)
    watch.sample()
    clock.now = 1.0
    watch.sample()
    assert api.calls == 2  # start, then the first sample; the second came too soon
    watch.sample(force=True)
    clock.now = 3.5
    watch.sample()
    assert api.calls == 4


def test_settling_waits_until_the_pools_are_back_at_their_minimum() -> None:
    # Given three small clusters, of which two go one after the other
    api = FakeClusters(ready("a", "b", "c"), ready("a", "b"), ready("a"), pools=[POOL])
    clock, notes = Clock(), []
    watch = watch_of(api, clock, notes)
    assert watch.longest_idle_ttl() == 30
    # When the demo settles, then it returns once one is left (the minimum)
    assert watch.settle(60, 1.0, clock.sleep) is True
    assert clock.now == 1.0
    stats = watch.stats()
    assert stats is not None and (stats[0].stopped, stats[0].peak, stats[0].active_now) == (2, 3, 1)
    assert watch.longest_idle_ttl() == 0  # no pool above its minimum


def test_settling_gives_up_after_its_time() -> None:
    api, clock, notes = FakeClusters(ready("a", "b"), pools=[POOL]), Clock(), []
    assert watch_of(api, clock, notes).settle(5, 1.0, clock.sleep) is False
    assert clock.now == 5


def test_without_the_cluster_service_there_are_no_cluster_figures() -> None:
    class Down(FakeClusters):
        def clusters(self) -> list[dict[str, Any]]:
            raise Unreachable("the cluster service does not answer at http://127.0.0.1:8002")

    notes: list[str] = []
    watch = watch_of(Down(ready(), pools=[]), Clock(), notes)
    watch.sample(force=True)
    assert watch.stats() is None
    assert notes == [
        "no cluster figures: the cluster service does not answer at http://127.0.0.1:8002"
    ]
