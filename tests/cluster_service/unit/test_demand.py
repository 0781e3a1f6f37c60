"""Demand's rules: a job is queued once; stale, late or repeated news about it changes nothing;
finished jobs are remembered so nothing revives them (the last DONE_MEMORY of them)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cluster_service.domain.demand import (
    DONE_MEMORY,
    Demand,
    allocation_key,
    attempt_of,
    cluster_of,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
K1 = allocation_key("cluster-a", 1)
K2 = allocation_key("cluster-b", 2)


def a_demand(*queued: str) -> Demand:
    demand = Demand.open("small", T0)
    for job in queued:
        demand.queue(job, T0)
    return demand


def recorded(demand: Demand) -> list[str]:
    return [type(e).__name__ for e in demand.collect_events()]


def test_an_allocation_key_names_the_cluster_and_the_attempt() -> None:
    assert (cluster_of(K2), attempt_of(K2)) == ("cluster-b", 2)
    assert attempt_of("") == 0


def test_its_id_follows_from_the_profile() -> None:
    assert a_demand().id == Demand.id_for("small") != Demand.id_for("large")


def test_a_job_is_queued_once() -> None:
    demand = a_demand("job-1", "job-1")
    assert recorded(demand) == ["Opened", "Queued"]
    assert (demand.queued_jobs, demand.knows("job-1"), demand.knows("job-2")) == (1, True, False)


@pytest.mark.parametrize("then", ["take", "requeue", "finish"])
def test_a_late_submission_does_not_queue_a_job_again(then: str) -> None:
    demand = a_demand("job-1")
    demand.take("job-1", K1, T0)
    if then == "requeue":
        demand.requeue("job-1", K1, T0)
    if then == "finish":
        demand.finish("job-1", T0)
    demand.collect_events()
    demand.queue("job-1", T0)
    assert recorded(demand) == []


def test_taking_a_slot_moves_the_job_from_waiting_to_holding_once() -> None:
    demand = a_demand("job-1")
    demand.take("job-1", K1, T0)
    demand.take("job-1", K1, T0)
    assert recorded(demand) == ["Opened", "Queued", "Took"]
    assert (demand.queued, demand.holding) == ({}, {"job-1": K1})


def test_an_allocation_that_ended_or_was_overtaken_is_stale() -> None:
    demand = a_demand("job-1", "job-2", "job-3")
    demand.take("job-1", K1, T0)
    demand.requeue("job-1", K1, T0)
    assert demand.is_stale("job-1", K1), "that allocation ended"
    demand.take("job-2", K2, T0)
    assert demand.is_stale("job-2", K1), "the job is past attempt 1"
    assert not demand.is_stale("job-2", K2)
    demand.finish("job-3", T0)
    assert demand.is_stale("job-3", K1), "the job is finished"
    assert not demand.is_stale("job-4", K1), "news of a job not heard of yet"


def test_a_rejection_sends_the_job_back_to_wait_with_the_refused_allocation() -> None:
    demand = a_demand("job-1")
    demand.take("job-1", K1, T0)
    demand.reject("job-1", "tenant", "cluster-a", 1, "cluster_full", T0)
    assert (demand.queued, demand.holding) == ({"job-1": K1}, {})
    assert demand.is_stale("job-1", K1)


def test_a_requeue_about_another_allocation_or_repeated_is_stale() -> None:
    demand = a_demand("job-1")
    demand.take("job-1", K2, T0)
    assert not demand.requeue("job-1", K1, T0), "the job holds another allocation"
    assert demand.requeue("job-1", K2, T0)
    assert not demand.requeue("job-1", K2, T0), "the same news again"
    assert (demand.queued, demand.holding) == ({"job-1": K2}, {})


def test_a_requeue_of_a_job_on_no_cluster_is_recorded_once() -> None:
    demand = a_demand("job-1")
    assert not demand.requeue("job-1", None, T0), "it waits already, with no allocation"
    demand.take("job-1", K1, T0)
    assert demand.requeue("job-1", K1, T0)


def test_a_finished_job_is_forgotten_but_remembered_as_done() -> None:
    demand = a_demand("job-1", "job-2")
    demand.take("job-2", K1, T0)
    demand.finish("job-1", T0)
    demand.finish("job-2", T0)
    demand.finish("job-2", T0)
    assert [e for e in recorded(demand) if e == "Finished"] == ["Finished", "Finished"]
    assert (demand.queued, demand.holding, list(demand.done)) == ({}, {}, ["job-1", "job-2"])
    assert not demand.requeue("job-2", K1, T0)
    assert demand.knows("job-2")


def test_only_the_last_finished_jobs_are_remembered() -> None:
    demand = a_demand()
    for n in range(DONE_MEMORY + 5):
        demand.finish(f"job-{n}", T0)
    assert len(demand.done) == DONE_MEMORY
    assert not demand.knows("job-4") and demand.knows("job-5")
