"""The write-path model (bench/write_model.py) behaves as the DynamoDB semantics it models."""

from __future__ import annotations

from bench.write_counts import TransactionShape
from bench.write_model import Assumptions, ServiceLoad, merged, simulate, sustained

SAVE = TransactionShape(
    counter=1, notifications=1, aggregates=1, markers=1, tracking=0, notification_units=2
)
MARKER_ONLY = TransactionShape(
    counter=0, notifications=0, aggregates=0, markers=1, tracking=0, notification_units=0
)


def _consumer(saves_per_job: int, *, batched: bool = False) -> ServiceLoad:
    return ServiceLoad("consumer", jobs=1, api=[], consume=[SAVE] * saves_per_job, batched=batched)


def test_one_writer_at_a_trickle_commits_everything_without_giving_up() -> None:
    outcome = simulate(_consumer(1), 0.5, Assumptions())
    assert outcome.gave_up == 0
    assert outcome.saves > 0
    assert outcome.backlog <= 1


def test_a_table_commits_about_one_save_per_transaction_latency() -> None:
    # Given far more saves offered than one counter item can take (2,000 a second)
    outcome = simulate(_consumer(20), 100.0, Assumptions())
    # Then what commits is bounded by the latency the counter is held for (~12.6 ms on average)
    committed = outcome.jobs_done * 20
    assert 40 < committed < 90
    assert outcome.conflict_rate > 0.8
    assert not outcome.sustained(Assumptions().slo_s)


def test_saves_that_touch_no_shared_item_never_conflict() -> None:
    load = ServiceLoad("markers", jobs=1, api=[MARKER_ONLY], consume=[MARKER_ONLY] * 5)
    outcome = simulate(load, 50.0, Assumptions())
    assert outcome.cancelled == 0


def test_batched_saves_and_more_logs_each_keep_up_where_one_save_per_message_cannot() -> None:
    # Given 150 saves a second offered, more than one counter item takes
    a = Assumptions()
    # Then one save per message falls behind, and batches or 8 logs keep up
    assert not simulate(_consumer(15), 10.0, a).sustained(a.slo_s)
    assert simulate(_consumer(15, batched=True), 10.0, a).sustained(a.slo_s)
    assert simulate(_consumer(15), 10.0, Assumptions(logs=8)).sustained(a.slo_s)


def test_the_sustained_load_is_found_between_what_keeps_up_and_what_does_not() -> None:
    a = Assumptions()
    found = sustained(_consumer(15), a)
    assert found.sustained(a.slo_s)
    assert 1.0 < found.offered_jobs_per_s < 10.0


def test_a_batch_is_merged_into_transactions_of_at_most_100_items() -> None:
    big = TransactionShape(
        counter=1, notifications=20, aggregates=20, markers=1, tracking=0, notification_units=40
    )
    joined = merged([big] * 5)
    assert [shape.items for shape in joined] == [83, 83, 42]
    assert sum(shape.notifications for shape in joined) == 100
    assert all(shape.counter == 1 for shape in joined)
