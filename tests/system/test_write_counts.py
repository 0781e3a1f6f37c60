"""The write-path count runs real jobs through the three services on the emulator, and batching
the monitor's saves cuts its transactions per job without changing what the jobs do."""

from __future__ import annotations

import pytest

from bench.write_counts import SERVICES, Counted, count
from local_runtime.emulator import Emulator

JOBS = 4


@pytest.fixture(scope="module")
def counted(emulator: Emulator) -> dict[bool, Counted]:
    # Given the same few jobs run with one save per message, and with batched saves
    return {batched: count(emulator, jobs=JOBS, batched=batched) for batched in (False, True)}


def test_every_job_ends_and_every_service_writes_for_it(counted: dict[bool, Counted]) -> None:
    for run in counted.values():
        assert run.job_states["succeeded"] == JOBS
        for service in SERVICES:
            assert run.per_job(service) >= 1


def test_every_save_with_events_claims_the_counter_once(counted: dict[bool, Counted]) -> None:
    for run in counted.values():
        for service in SERVICES:
            for shape in run.job_shapes(service):
                assert shape.counter == (1 if shape.notifications else 0)
                assert shape.aggregates == shape.notifications
                assert shape.items <= 100


def test_batched_saves_cut_the_monitors_transactions_per_job(counted: dict[bool, Counted]) -> None:
    before, after = counted[False], counted[True]
    assert after.per_job("monitor") < 0.75 * before.per_job("monitor")
    # And its batched transactions hold several events' entries and markers
    assert max(shape.markers for shape in after.job_shapes("monitor")) > 1
    # And the services that do not batch write about as before (the same jobs, the same saves)
    for service in ("job", "cluster"):
        assert after.per_job(service) == pytest.approx(before.per_job(service), rel=0.25)
