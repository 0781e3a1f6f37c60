"""A small demo through real processes: about 20 jobs in two bursts, every one succeeds.

Given the runner with pools of minimum 1 and maximum 2 and a short idle TTL, when jobs of the
three job profiles and four priority classes arrive in two bursts, then every accepted job
succeeds, critical jobs wait less than normal ones at p95, the pools grow under the bursts
without passing the maximum, and after the idle TTL they fall back to the minimum.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

import pytest

from .platform import IDLE_TTL, MAXIMUM, MINIMUM, TERMINAL, HttpError, Platform, wait_for
from .stored import live_clusters, stored_events

pytestmark = pytest.mark.emulator

DURATIONS = {"scoring": 4, "predicting": 3, "training": 5}
# Within a burst, critical jobs are not submitted first: priority has to beat arrival order.
BURSTS = (
    [
        ("scoring", "normal"),
        ("predicting", "normal"),
        ("training", "normal"),
        ("scoring", "critical"),
        ("scoring", "normal"),
        ("predicting", "critical"),
        ("training", "low"),
        ("scoring", "high"),
        ("predicting", "normal"),
        ("training", "normal"),
        ("scoring", "low"),
        ("predicting", "high"),
    ],
    [
        ("scoring", "normal"),
        ("predicting", "normal"),
        ("scoring", "critical"),
        ("training", "high"),
        ("predicting", "critical"),
        ("scoring", "normal"),
        ("predicting", "normal"),
        ("training", "normal"),
    ],
)
SECONDS_BETWEEN_BURSTS = 8.0
ALL_DONE_SECONDS = 180.0
ENDED = ("FAILED", "TERMINATED")
SAMPLE_SECONDS = 1.5
"""Each sample asks the cluster service for every pool: it competes with the system under test."""


class PoolSampler:
    """Samples GET /pools on a thread: the most live clusters seen per cluster profile."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.peak: dict[str, int] = defaultdict(int)
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PoolSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            try:
                pools = self.platform.clusters("/pools")["pools"]
            except (OSError, HttpError):  # a slow answer: the next sample counts
                continue
            for pool in pools:
                self.peak[pool["profile"]] = max(self.peak[pool["profile"]], live(pool))
            self.samples += 1


def live(pool: dict[str, Any]) -> int:
    """Clusters a pool holds that count towards its maximum (all but failed and terminated)."""
    return sum(n for state, n in pool["clusters_by_state"].items() if state not in ENDED)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def wait_seconds(job: dict[str, Any]) -> float:
    times = job["times"]
    return (_at(times["started"]) - _at(times["submitted"])).total_seconds()


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_bursty_mixed_workload_runs_to_success_by_priority(platform: Platform) -> None:
    # Given the platform at rest, each pool at its minimum
    wait_for("pools at minimum", lambda: at_minimum(platform), 90, 2.0)
    accepted: dict[str, str] = {}
    with PoolSampler(platform) as sampler:
        # When two bursts of jobs arrive
        for number, burst in enumerate(BURSTS):
            if number:
                time.sleep(SECONDS_BETWEEN_BURSTS)  # the workload's shape, not a wait for a result
            for index, (profile, priority) in enumerate(burst):
                job_id = platform.submit(
                    profile, priority, DURATIONS[profile], f"b{number}-{index}"
                )
                accepted[job_id] = priority
        jobs = wait_for(
            "every job terminal", lambda: all_terminal(platform, accepted), ALL_DONE_SECONDS, 1.0
        )
    # Then nothing was lost and every job succeeded
    assert len(accepted) == 20
    assert {job["job_id"] for job in jobs} == set(accepted)
    assert {job["job_id"]: job["status"] for job in jobs} == dict.fromkeys(accepted, "succeeded")
    # And critical jobs waited less than normal ones at p95
    waits: dict[str, list[float]] = defaultdict(list)
    for job in jobs:
        waits[job["priority"]].append(wait_seconds(job))
    print({priority: (len(w), round(p95(w), 1), round(max(w), 1)) for priority, w in waits.items()})
    assert p95(waits["critical"]) < p95(waits["normal"])
    # And the scoring pool grew to its maximum under the bursts, and no pool ever passed it
    assert sampler.samples > 5
    print("peaks sampled", dict(sampler.peak))
    assert sampler.peak["small"] == MAXIMUM
    assert all(peak <= MAXIMUM for peak in sampler.peak.values()), sampler.peak
    # And after the idle TTL every pool is back at its minimum
    wait_for("pools back at minimum", lambda: at_minimum(platform), IDLE_TTL + 120, 2.0)
    # And so say the services' stored events: each job succeeded exactly once and never failed,
    # the scoring pool reached its maximum, no pool passed it, and each is back at its minimum
    job_events = stored_events(platform.emulator_url, "job-service")
    ends = Counter(
        (e.detail_type, e.model_dump()["job_id"])
        for e in job_events
        if e.detail_type in ("JobSucceeded", "JobFailed")
    )
    assert ends == Counter({("JobSucceeded", job_id): 1 for job_id in accepted})
    peak, live_now = live_clusters(stored_events(platform.emulator_url, "cluster-service"))
    assert peak["small"] == MAXIMUM
    assert all(count <= MAXIMUM for count in peak.values()), peak
    assert live_now == dict.fromkeys(("small", "medium", "large"), MINIMUM)


def all_terminal(platform: Platform, accepted: dict[str, str]) -> list[dict[str, Any]] | None:
    """Every accepted job once all have ended (one listing per look, then each job once)."""
    listed = {
        job["job_id"]: job["status"] for job in platform.jobs("GET", "/jobs?limit=100")["jobs"]
    }
    if not all(listed.get(job_id) in TERMINAL for job_id in accepted):
        return None
    return [platform.jobs("GET", f"/jobs/{job_id}") for job_id in accepted]


def at_minimum(platform: Platform) -> bool:
    pools = platform.clusters("/pools")["pools"]
    return len(pools) == 3 and all(
        live(pool) == MINIMUM and pool["clusters_by_state"].get("READY", 0) == MINIMUM
        for pool in pools
    )
