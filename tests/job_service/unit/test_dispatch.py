"""Dispatch order: priority, FIFO, aging with numbers, head requeue, back-off, and slot pairing."""

from uuid import UUID, uuid4

import pytest

from job_service.domain import Allocation, Dispatcher, DispatchQueue, Priority
from tests.job_service.support import at


def ids(count: int) -> list[UUID]:
    return [uuid4() for _ in range(count)]


def drain(queue: DispatchQueue, seconds: float) -> list[UUID]:
    """Every job the queue gives at T0 + seconds, in order."""
    taken = []
    while (job_id := queue.next(at(seconds))) is not None:
        taken.append(job_id)
    return taken


def test_given_one_job_of_each_priority_when_drained_then_highest_priority_first() -> None:
    queue = DispatchQueue()
    low, normal, high, critical = ids(4)
    for seq, (job_id, priority) in enumerate(
        [(low, "low"), (normal, "normal"), (high, "high"), (critical, "critical")]
    ):
        queue.enqueue(job_id, priority, at(0), seq)

    assert drain(queue, 0) == [critical, high, normal, low]


def test_given_jobs_of_one_priority_when_drained_then_fifo_by_seq_not_by_enqueue_order() -> None:
    queue = DispatchQueue()
    first, second, third = ids(3)
    queue.enqueue(third, "normal", at(0), seq=30)
    queue.enqueue(first, "normal", at(0), seq=10)
    queue.enqueue(second, "normal", at(0), seq=20)

    assert drain(queue, 0) == [first, second, third]


def two_jobs(
    old: Priority, old_at: float, new: Priority, new_at: float
) -> tuple[DispatchQueue, UUID, UUID]:
    queue = DispatchQueue()
    old_id, new_id = ids(2)
    queue.enqueue(old_id, old, at(old_at), seq=1)
    queue.enqueue(new_id, new, at(new_at), seq=2)
    return queue, old_id, new_id


@pytest.mark.parametrize(
    ("old", "new", "new_at", "now", "winner"),
    [
        # low since 0 ranks 3 until 299 s, 2 from 300, 1 from 600, 0 from 900.
        ("low", "normal", 1, 299, "new"),  # low 3 vs normal 2
        ("low", "normal", 1, 300, "old"),  # low 2 vs normal 2: eligible longer wins
        ("low", "high", 540, 599, "new"),  # low 2 vs high 1
        ("low", "high", 540, 600, "old"),  # low 1 vs high 1
        ("low", "critical", 899, 899, "new"),  # low 1 vs critical 0
        ("low", "critical", 899, 900, "old"),  # low 0 vs critical 0: 15 min beats a fresher one
        ("normal", "critical", 10, 600, "old"),  # normal reaches 0 after 10 min
        ("high", "critical", 10, 299, "new"),  # high reaches 0 only after 5 min
    ],
)
def test_given_an_older_lower_job_when_it_has_waited_then_it_ages_by_one_class_per_5_minutes(
    old: Priority, new: Priority, new_at: float, now: float, winner: str
) -> None:
    queue, old_id, new_id = two_jobs(old, 0, new, new_at)
    assert queue.next(at(now)) == (old_id if winner == "old" else new_id)


def test_given_a_critical_job_older_than_an_aged_low_job_when_decided_then_critical_first() -> None:
    queue = DispatchQueue()
    critical, low = ids(2)
    queue.enqueue(low, "low", at(0), seq=2)
    queue.enqueue(critical, "critical", at(-10), seq=1)

    assert drain(queue, 3600) == [critical, low]


def test_given_a_stream_of_critical_jobs_when_a_low_job_waits_then_it_runs_at_15_minutes() -> None:
    queue = DispatchQueue()
    low = uuid4()
    queue.enqueue(low, "low", at(0), seq=0)
    served_at = None
    for minute in range(60):
        queue.enqueue(uuid4(), "critical", at(minute * 60), seq=minute + 1)
        if queue.next(at(minute * 60)) == low:
            served_at = minute
            break

    assert served_at == 15


def test_given_a_rejected_allocation_when_requeued_at_head_then_before_older_same_class() -> None:
    queue = DispatchQueue()
    older, rejected = ids(2)
    queue.enqueue(older, "normal", at(0), seq=1)
    queue.requeue_at_head(rejected, "normal", at(5))

    assert queue.position(rejected, at(5)) == 0
    assert drain(queue, 5) == [rejected, older]


def test_given_a_requeued_head_when_a_higher_priority_job_waits_then_the_higher_goes_first() -> (
    None
):
    queue = DispatchQueue()
    high, rejected = ids(2)
    queue.enqueue(high, "high", at(0), seq=1)
    queue.requeue_at_head(rejected, "normal", at(0))

    assert drain(queue, 0) == [high, rejected]


def test_given_a_job_backing_off_when_decided_before_retry_at_then_not_eligible() -> None:
    queue = DispatchQueue()
    job = uuid4()
    queue.enqueue(job, "critical", at(0), seq=1, retry_at=at(60))

    assert (len(queue), job in queue) == (1, True)
    assert queue.next(at(59)) is None
    assert queue.position(job, at(59)) is None
    assert queue.next(at(60)) == job


def test_given_a_retry_with_an_earlier_seq_when_back_off_ends_then_it_keeps_its_place() -> None:
    queue = DispatchQueue()
    retry, newer = ids(2)
    queue.enqueue(newer, "normal", at(0), seq=5)
    queue.enqueue(retry, "normal", at(0), seq=1, retry_at=at(30))

    assert queue.next(at(10)) == newer
    queue.enqueue(newer, "normal", at(10), seq=5)
    assert drain(queue, 30) == [retry, newer]


def test_given_a_retry_when_aging_then_its_clock_starts_at_retry_at() -> None:
    queue, low, critical = two_jobs("low", 0, "critical", 600)
    queue.remove(low)
    queue.enqueue(low, "low", at(0), seq=1, retry_at=at(600))

    assert queue.next(at(1199)) == critical  # low has aged 599 s: rank 2, not 0


def test_given_a_removed_job_when_drained_then_never_given_and_not_counted() -> None:
    queue = DispatchQueue()
    kept, cancelled = ids(2)
    queue.enqueue(cancelled, "critical", at(0), seq=1)
    queue.enqueue(kept, "low", at(0), seq=2)

    assert queue.remove(cancelled) is True
    assert queue.remove(cancelled) is False
    assert (len(queue), cancelled in queue) == (1, False)
    assert drain(queue, 0) == [kept]


def test_given_a_job_enqueued_twice_when_drained_then_given_once() -> None:
    queue = DispatchQueue()
    job = uuid4()
    queue.enqueue(job, "low", at(0), seq=1)
    queue.enqueue(job, "high", at(0), seq=1)

    assert len(queue) == 1
    assert drain(queue, 0) == [job]


def test_given_a_queue_when_positions_asked_then_0_for_the_next_and_estimates_behind() -> None:
    queue = DispatchQueue()
    jobs = ids(4)
    for seq, job_id in enumerate(jobs):
        queue.enqueue(job_id, "normal", at(0), seq)
    critical = uuid4()
    queue.enqueue(critical, "critical", at(0), seq=9)

    assert [queue.position(job_id, at(0)) for job_id in [critical, *jobs]] == [0, 1, 2, 3, 4]
    assert queue.position(uuid4(), at(0)) is None


def test_given_a_negative_seq_when_enqueued_then_value_error() -> None:
    with pytest.raises(ValueError, match="seq"):
        DispatchQueue().enqueue(uuid4(), "low", at(0), seq=-1)


def test_given_free_slots_when_dispatched_then_each_slot_gets_the_next_job_in_order() -> None:
    dispatcher = Dispatcher()
    queue = dispatcher.queue("spark-small")
    first, second, third = ids(3)
    for seq, job_id in enumerate([first, second, third]):
        queue.enqueue(job_id, "normal", at(0), seq)

    pairs = list(dispatcher.allocations("spark-small", [("c-1", 0), ("c-1", 1)], at(0)))

    assert pairs == [Allocation(first, "c-1", 0), Allocation(second, "c-1", 1)]
    assert len(queue) == 1 and dispatcher.queue("spark-small") is queue


def test_given_a_slot_listed_twice_when_dispatched_then_it_gets_one_job() -> None:
    dispatcher = Dispatcher()
    for seq, job_id in enumerate(ids(3)):
        dispatcher.queue("p").enqueue(job_id, "normal", at(0), seq)

    pairs = list(dispatcher.allocations("p", [("c-1", 0), ("c-1", 0), ("c-2", 0)], at(0)))

    assert [(p.cluster_id, p.slot) for p in pairs] == [("c-1", 0), ("c-2", 0)]
    assert len({p.job_id for p in pairs}) == 2


def test_given_more_slots_than_jobs_when_dispatched_then_it_stops_when_the_queue_is_empty() -> None:
    dispatcher = Dispatcher()
    job = uuid4()
    dispatcher.queue("p").enqueue(job, "low", at(0), seq=0)
    dispatcher.queue("other").enqueue(uuid4(), "critical", at(0), seq=0)

    pairs = list(dispatcher.allocations("p", [("c-1", 0), ("c-1", 1), ("c-1", 2)], at(0)))

    assert pairs == [Allocation(job, "c-1", 0)]
