"""A board restored from a checkpoint and caught up with the log decides as one built from it all.

Histories are played through the application (submissions, cancels, clusters ready, lost and
rejecting, steps ending, pool signals, ticks, time passing). The board built from the whole log
is the reference; a checkpoint taken at any position of that log, restored and then caught up,
must hold the same state (`checkpoint()` outputs equal) and make the same decisions.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import json
import logging
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from job_service.application import BoardReader, DispatchBoard, JobsApplication
from job_service.application.board import CheckpointError
from job_service.bootstrap import JobServiceSettings, SettingsError
from job_service.domain import Job, JobProfile, JobServiceError
from tests.job_service.application_support import (
    CLUSTER_PROFILE,
    PROFILE,
    World,
    failed,
    ready,
    rejected,
    step_event,
    terminated,
)
from tests.job_service.unit.test_application_board import drain
from tests.job_service.unit.test_pool_outlook import limits, requested

CLUSTERS = ("c-1", "c-2", "c-3")
LATER = (0, 29, 31, 301, 601, 901, 3600)
"""Seconds after the history's end at which decisions are compared (aging, back-off, timeouts)."""


def replay(app: JobsApplication, board: DispatchBoard, upto: int | None = None) -> DispatchBoard:
    """Apply the log after the board's position (up to `upto`) as a cold start does."""
    for notification in app.recorder.select_notifications(start=board.position + 1, limit=10**6):
        if upto is not None and notification.id > upto:
            break
        board.apply(app.mapper.to_domain_event(notification), notification.id, live=False)
    return board


def through_json(board: DispatchBoard) -> DispatchBoard:
    """The board as a stored checkpoint gives it back: JSON text and back."""
    return DispatchBoard.from_checkpoint(json.loads(json.dumps(board.checkpoint())))


def assert_same_decisions(
    restored: DispatchBoard, full: DispatchBoard, at: datetime, *, live: bool = False
) -> None:
    """Queue order and positions, slots, what the tick would do, and outlooks, at `at`.

    `live`: `restored` comes from a live board's checkpoint, which also learned of steps outside
    the log (so `unheard` may differ) and took jobs with `next` where a board read from the log
    removed them, which moves the queue-position estimate of a job behind them (never which job
    goes next): positions are compared only for boards read from the log."""
    assert drain(restored, at) == drain(full, at)
    if not live:
        assert {job_id: restored.position_of(job_id, at) for job_id in full.jobs} == {
            job_id: full.position_of(job_id, at) for job_id in full.jobs
        }
        assert {job_id: restored.waiting(job_id, at) for job_id in full.jobs} == {
            job_id: full.waiting(job_id, at) for job_id in full.jobs
        }
    assert restored.dispatchable(at) == full.dispatchable(at)
    for cluster_id in CLUSTERS:
        assert restored.free_slots(cluster_id, 3) == full.free_slots(cluster_id, 3)
        assert restored.holders(cluster_id) == full.holders(cluster_id)
        taken = copy.deepcopy(restored).take(CLUSTER_PROFILE, cluster_id, [0, 1], at)
        assert taken == copy.deepcopy(full).take(CLUSTER_PROFILE, cluster_id, [0, 1], at)
    assert restored.timed_out(at) == full.timed_out(at)
    assert restored.unstarted(at) == full.unstarted(at)
    if not live:
        assert restored.unheard(at) == full.unheard(at)
    assert restored.outlooks.outlook(CLUSTER_PROFILE, at) == full.outlooks.outlook(
        CLUSTER_PROFILE, at
    )


def emr_of(cluster_id: str) -> str:
    return "j-" + cluster_id.replace("-", "")


def unheard_jobs(board: DispatchBoard) -> dict[UUID, Any]:
    """The open jobs without when their steps were last heard of (a live board hears more)."""
    return {job_id: dataclasses.replace(job, heard_at=None) for job_id, job in board.jobs.items()}


STEP = st.tuples(
    st.sampled_from(["submit"] * 4 + ["ready", "step", "cancel", "reject", "lost"]),
    st.integers(0, 7),
    st.sampled_from(["COMPLETED", "FAILED", "CANCELLED", "RUNNING", "INTERRUPTED"]),
) | st.tuples(
    st.sampled_from(["advance", "tick", "terminated", "requested", "limits", "checkpoint"]),
    st.integers(0, 7),
    st.sampled_from([1, 31, 301, 700]),
)
PRIORITIES = ("critical", "high", "normal", "low")
TENANTS = ("tenant-1", "acme")


class History:
    """Plays steps through one job service; keeps live checkpoints taken along the way."""

    def __init__(self) -> None:
        self.world = World(reconcile_after=300)
        self.jobs: list[UUID] = []
        self.tenant_of: dict[UUID, str] = {}
        self.live_checkpoints: list[dict[str, Any]] = []

    def play(self, steps: list[tuple[str, int, Any]]) -> None:
        for kind, n, extra in steps:
            # A refused request changes nothing: the log is what counts.
            with contextlib.suppress(JobServiceError):
                getattr(self, f"_{kind}")(n, extra)

    def _job(self, n: int) -> UUID | None:
        return self.jobs[n % len(self.jobs)] if self.jobs else None

    def _get(self, n: int) -> Job | None:
        job_id = self._job(n)
        return None if job_id is None else self.world.app.get(self.tenant_of[job_id], job_id)

    def _submit(self, n: int, _: Any) -> None:
        """Jobs of two tenants (fair share decides between them)."""
        tenant = TENANTS[n // 4 % 2]
        job = self.world.app.submit(
            tenant, PROFILE, "nightly", {"date": "d"}, PRIORITIES[n % 4], at=self.world.now
        )
        self.jobs.append(job.id)
        self.tenant_of[job.id] = tenant
        self.world.advance(1)

    def _ready(self, n: int, _: Any) -> None:
        cluster_id = CLUSTERS[n % 3]
        self.world.deliver(ready(cluster_id, slots=1 + n % 3, emr=emr_of(cluster_id)))

    def _step(self, n: int, state: str) -> None:
        job = self._get(n)
        if job is not None and job.step_id and job.cluster_id:
            self.world.deliver(step_event(job.step_id, state, emr=emr_of(job.cluster_id)))

    def _cancel(self, n: int, _: Any) -> None:
        if (job_id := self._job(n)) is not None:
            self.world.app.cancel(self.tenant_of[job_id], job_id, at=self.world.now)

    def _reject(self, n: int, _: Any) -> None:
        job = self._get(n)
        if job is not None and job.cluster_id:
            self.world.deliver(rejected(job.id, job.cluster_id, job.attempts))

    def _lost(self, n: int, _: Any) -> None:
        self.world.deliver(failed(CLUSTERS[n % 3]))

    def _terminated(self, n: int, _: Any) -> None:
        self.world.deliver(terminated(CLUSTERS[n % 3]))

    def _requested(self, n: int, _: Any) -> None:
        self.world.deliver(requested(CLUSTERS[n % 3], self.world.now))

    def _limits(self, n: int, _: Any) -> None:
        self.world.deliver(limits(1 + n % 4))

    def _advance(self, n: int, seconds: int) -> None:
        self.world.advance(seconds)

    def _tick(self, n: int, _: Any) -> None:
        self.world.app.tick(self.world.now)

    def _checkpoint(self, n: int, _: Any) -> None:
        board = self.world.app.current_board()
        self.live_checkpoints.append(json.loads(json.dumps(board.checkpoint())))


def ask(board: DispatchBoard, at: datetime) -> None:
    """Ask a board what a request would (queries drop removed jobs and promote retries)."""
    for job_id in list(board.jobs):
        board.position_of(job_id, at)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(STEP, min_size=1, max_size=50),
    cut=st.floats(0, 1),
    asked=st.sampled_from(LATER),
)
def test_a_board_restored_from_any_checkpoint_decides_as_the_whole_log(
    steps: list[tuple[str, int, Any]], cut: float, asked: int
) -> None:
    # Given any history, and a board built from its log up to some position, then asked
    history = History()
    history.play(steps)
    app, end = history.world.app, history.world.now
    at = round(cut * (app.recorder.max_notification_id() or 0))
    full = replay(app, DispatchBoard(), upto=at)
    ask(full, end + timedelta(seconds=asked))
    # When it is checkpointed there, restored, and caught up with the rest of the log
    checkpointed = through_json(full)
    assert checkpointed.position == full.position == at
    restored = replay(app, checkpointed)
    full = replay(app, full)
    # Then it holds the same state as the board that read the whole log, and decides the same
    assert restored.checkpoint() == full.checkpoint()
    for seconds in LATER:
        assert_same_decisions(restored, full, end + timedelta(seconds=seconds))
    assert restored.checkpoint() == full.checkpoint()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(STEP, min_size=1, max_size=40))
def test_a_checkpoint_of_the_live_board_decides_as_the_whole_log(
    steps: list[tuple[str, int, Any]],
) -> None:
    # Given checkpoints the live board wrote along a history (as the tick does)
    history = History()
    history.play([*steps, ("checkpoint", 0, 1)])
    app, end = history.world.app, history.world.now
    full = replay(app, DispatchBoard())
    # When a cold start restores one and catches up with the log after it
    for state in history.live_checkpoints:
        restored = replay(app, DispatchBoard.from_checkpoint(state))
        # Then it hands out the same jobs, slots and tick work as the whole log says
        assert restored.position == full.position
        assert unheard_jobs(restored) == unheard_jobs(full)
        assert restored.steps_to_cancel == set()
        for seconds in LATER:
            assert_same_decisions(
                copy.deepcopy(restored),
                copy.deepcopy(full),
                end + timedelta(seconds=seconds),
                live=True,
            )


def test_a_checkpoint_of_an_unknown_version_is_refused() -> None:
    state = DispatchBoard().checkpoint() | {"version": 99}
    with pytest.raises(CheckpointError):
        DispatchBoard.from_checkpoint(state)


# When the tick writes checkpoints.


def test_the_tick_writes_a_checkpoint_only_every_k_notifications() -> None:
    # Given a service that checkpoints every 10 notifications
    world = World()
    world.app.board.checkpoint_every = 10
    checkpoints, board = world.app.board.checkpoints, world.app.current_board()
    # When it ticks before its board is 10 notifications in, nothing is written
    while board.position < 10:
        world.app.tick(world.now)
        assert checkpoints.latest_position() is None
        world.submit()
    # Then the first tick after that writes one at the board's position
    first = board.position
    world.app.tick(world.now)
    assert checkpoints.latest_position() == first
    # And none again until the board is 10 more notifications in
    while board.position < first + 10:
        world.app.tick(world.now)
        assert checkpoints.latest_position() == first
        world.submit()
    world.app.tick(world.now)
    assert checkpoints.latest_position() == board.position >= first + 10


def test_a_checkpoint_leaves_out_the_jobs_that_left_the_queue() -> None:
    # Given jobs that ran to the end, and one still queued, on a board read from the log
    world = World()
    done = [world.submit() for _ in range(5)]
    world.deliver(ready("c-1", slots=5))
    for job in done:
        world.deliver(step_event(world.job(job.id).step_id or "", "COMPLETED"))
        assert world.status(job.id) == "succeeded"
    world.deliver(terminated("c-1"))
    waiting = world.submit()
    world.app.rebuild_board()
    # When the tick writes a checkpoint
    world.app.board.checkpoint_every = 1
    world.app.tick(world.now)
    # Then its queue holds the waiting job only, not the five that left it
    state = world.app.board.checkpoints.load()
    assert state is not None
    # (since version 2 the heaps are per class and tenant: [tenant, heap, issued, served, ready])
    classes = state["dispatcher"][CLUSTER_PROFILE]["classes"]
    heaps = [bucket[1] for buckets in classes for bucket in buckets]
    assert [entry[2] for heap in heaps for entry in heap] == [str(waiting.id)]


def test_a_cold_start_after_a_tick_restores_its_checkpoint() -> None:
    # Given a checkpoint written by the tick, and jobs submitted after it
    world = World()
    world.app.board.checkpoint_every = 1
    for priority in ("low", "critical", "normal"):
        world.submit(priority=priority)
    world.app.tick(world.now)
    late = world.submit(priority="high")
    # When the process starts cold
    board = world.app.rebuild_board(from_checkpoint=True)
    # Then its board is the whole log's
    assert board.checkpoint() == world.app.rebuild_board().checkpoint()
    assert world.app.queue_position("tenant-1", late.id, at=world.now) == 1


def test_with_profiles_cached_a_board_still_starts_from_the_checkpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a REST process's application (profiles cached), a checkpoint, then a job more
    world = World()
    world.app.cache_profiles(60)
    world.app.board.checkpoint_every = 1
    for priority in ("low", "critical", "normal"):
        world.submit(priority=priority)
    world.app.tick(world.now)
    checkpointed = world.app.board.checkpoints.latest_position()
    late = world.submit(priority="high")
    # When its board is built again from the checkpoint, counting the notifications read
    read: list[int] = []
    select = world.app.recorder.select_notifications

    def counting(start: int | None, limit: int, *args: Any, **kwargs: Any) -> Any:
        page = select(start, limit, *args, **kwargs)
        read.extend(notification.id for notification in page)
        return page

    monkeypatch.setattr(world.app.recorder, "select_notifications", counting)
    board = world.app.rebuild_board(from_checkpoint=True)
    # Then it read only the log after the checkpoint, and the cache held nothing older
    assert checkpointed is not None
    assert (
        read
        == list(range(checkpointed + 1, board.position + 1))
        == [board.position - 1, board.position]
    )
    assert world.app.profile_cache.get(JobProfile.id_for(PROFILE)) is None
    assert world.app.queue_position("tenant-1", late.id, at=world.now) == 1


def test_a_listing_misses_nothing_when_the_board_restarts_from_a_checkpoint_ahead_of_it() -> None:
    # Given a listing that follows the board's reads
    world = World()
    world.submit()
    world.app.list_jobs("tenant-1")
    # and a job, then a checkpoint past it, both written by another process
    app = world.app
    elsewhere = BoardReader(app.recorder, app.mapper, app.board.checkpoints)
    app.store.keep_current(elsewhere)
    behind = world.submit()
    elsewhere.checkpoints.save(elsewhere.rebuild().checkpoint())
    app.store.keep_current(app.board)
    # When the board is rebuilt from that checkpoint
    board = app.rebuild_board(from_checkpoint=True)
    assert board.position == elsewhere.rebuild().position
    # Then the listing was read the log up to it: it misses neither job
    job = world.submit()
    listed = app.list_jobs("tenant-1").jobs
    assert [entry.job_id for entry in listed][:2] == [job.id, behind.id]
    assert len(listed) == 3


def test_a_failing_checkpoint_write_does_not_fail_the_tick(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a store that refuses checkpoints, and a job waiting for a free slot
    world = World()
    world.app.board.checkpoint_every = 1
    job = world.submit()

    def refuse(state: dict[str, Any]) -> None:
        raise OSError("the store is down")

    monkeypatch.setattr(world.app.board.checkpoints, "save", refuse)
    world.deliver(ready("c-1", slots=1))
    # When the tick runs, its work is done and the failure only logged
    with caplog.at_level(logging.ERROR):
        report = world.app.tick(world.now)
    assert report.timed_out == []
    assert world.status(job.id) == "running"
    assert "could not store a board checkpoint" in caplog.text


def test_board_checkpoint_every_is_read_from_the_environment() -> None:
    base = {"JOB_SERVICE_TABLE": "jobs"}
    assert JobServiceSettings.from_env(base).board_checkpoint_every == 5_000
    every = JobServiceSettings.from_env(base | {"BOARD_CHECKPOINT_EVERY": "200"})
    assert every.board_checkpoint_every == 200
    with pytest.raises(SettingsError, match="BOARD_CHECKPOINT_EVERY"):
        JobServiceSettings.from_env(base | {"BOARD_CHECKPOINT_EVERY": "0"})
