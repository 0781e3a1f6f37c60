"""The dispatch board is a projection of the log: rebuilt from it, it decides the same."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from uuid import UUID

from job_service.application import BoardReader, DispatchBoard
from job_service.domain import Job
from tests.job_service.application_support import (
    CLUSTER_PROFILE,
    World,
    ready,
    rejected,
    step_event,
    terminated,
)


def drain(board: DispatchBoard, at: datetime) -> list[UUID]:
    """Every job the queue would hand out at `at`, in order (on a copy of the board)."""
    queue = copy.deepcopy(board.dispatcher).queue(CLUSTER_PROFILE)
    order = []
    while (job_id := queue.next(at)) is not None:
        order.append(job_id)
    return order


def busy_history() -> World:
    """Jobs of every priority, refunded to the head, backing off, cancelled and running."""
    world = World()
    priorities = ["low", "normal", "critical", "high", "normal", "low", "critical", "normal"]
    jobs: list[Job] = []
    for priority in priorities:
        jobs.append(world.submit(priority=priority))
        world.advance(1)
    world.deliver(ready("c-1", slots=3))  # the two critical jobs and the high one run
    running = [job.id for job in jobs if world.job(job.id).step_id]
    world.deliver(rejected(running[2], "c-1", 1))  # back to the head of its queue
    world.deliver(ready("c-2", slots=1))
    step = world.job(running[0]).step_id or ""
    world.deliver(step_event(step, "FAILED"))  # backs off for 30 s
    world.app.cancel("tenant-1", jobs[1].id, at=world.advance(1))
    for _ in range(3):
        world.submit(priority="normal")
        world.advance(1)
    return world


def test_a_rebuilt_board_hands_out_jobs_in_the_same_order() -> None:
    # Given a service whose board has been kept up to date save by save
    world = busy_history()
    live = world.app.current_board()
    # When the board is rebuilt from the stored events alone
    rebuilt = world.app.rebuild_board()
    # Then at any time the queue hands out the same jobs in the same order
    for later in (0, 29, 31, 301, 900, 3600):
        at = world.now + timedelta(seconds=later)
        assert drain(rebuilt, at) == drain(live, at)
    assert drain(rebuilt, world.now + timedelta(seconds=31))  # not trivially empty
    assert rebuilt.position == live.position


def test_a_rebuilt_board_knows_the_same_slots_and_steps() -> None:
    world = busy_history()
    live = world.app.current_board()
    rebuilt = world.app.rebuild_board()
    for cluster_id in ("c-1", "c-2"):
        assert rebuilt.free_slots(cluster_id, 3) == live.free_slots(cluster_id, 3)
        assert sorted(rebuilt.holders(cluster_id)) == sorted(live.holders(cluster_id))
    assert rebuilt.clusters == live.clusters
    assert {j: o.step_id for j, o in rebuilt.jobs.items()} == {
        j: o.step_id for j, o in live.jobs.items()
    }


def test_a_new_process_sees_what_another_one_wrote() -> None:
    # Given a board built, then a job saved behind its back (as another process would)
    world = World()
    world.app.current_board()
    world.app.store.keep_current(
        BoardReader(world.app.recorder, world.app.mapper, world.app.board.checkpoints)
    )
    job = world.submit()
    world.app.store.keep_current(world.app.board)
    # When a use case asks for the board, it reads the log first
    assert world.app.queue_position("tenant-1", job.id, at=world.now) == 0


def test_the_board_forgets_idle_slots_and_closed_clusters() -> None:
    # Given jobs that ran on two clusters and all ended, and one of the clusters gone
    world = World()
    jobs = [world.submit() for _ in range(3)]
    world.deliver(ready("c-1", slots=2))
    world.deliver(ready("c-2", slots=1, emr="j-CLUSTER2"))
    for job in jobs:
        running = world.job(job.id)
        emr = "j-CLUSTER1" if running.cluster_id == "c-1" else "j-CLUSTER2"
        world.deliver(step_event(running.step_id or "", "COMPLETED", emr=emr))
    world.deliver(terminated("c-2"))
    # Then the board lists no slot holder and only the live cluster (its size is what is
    # live, not every cluster there ever was), live and rebuilt alike
    assert all(world.job(job.id).status == "succeeded" for job in jobs)
    for board in (world.app.current_board(), world.app.rebuild_board()):
        assert board.checkpoint()["holders"] == []
        assert list(board.clusters) == ["c-1"]
        assert board.free_slots("c-1", 2) == [0, 1]
        assert board.dispatchable(world.now) == []
