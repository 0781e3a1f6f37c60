"""Fair share, running quotas and start estimates on the dispatch board, through the service."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from job_service.api.views import job_view
from job_service.application import DispatchBoard
from job_service.application.board import CHECKPOINT_VERSION
from job_service.domain import Job
from job_service.domain.tenancy import Quotas, TenantTerms
from tests.job_service.application_support import (
    CLUSTER_PROFILE,
    PROFILE,
    TENANT,
    World,
    ready,
    step_event,
)

OTHER = "acme"


def submit(world: World, tenant: str, count: int, **kwargs: object) -> list[Job]:
    jobs = []
    for n in range(count):
        jobs.append(world.app.submit(tenant, PROFILE, f"job-{n}", {"date": "d"}, at=world.now))
        world.advance(1)
    return jobs


def board(world: World) -> DispatchBoard:
    return world.app.board.current()


def running_by_tenant(world: World, jobs: list[Job]) -> Counter[str]:
    return Counter(
        job.tenant_id
        for job in jobs
        if world.app.get(job.tenant_id, job.id).status.value in {"allocated", "running"}
    )


def test_given_a_burst_of_one_tenant_when_slots_free_then_they_split_by_weight() -> None:
    # Given tenant-1's burst of 6 submitted before acme's 6, acme weighing twice as much
    world = World()
    board(world).tenant_terms[OTHER] = TenantTerms(weight=2.0)
    jobs = submit(world, TENANT, 6) + submit(world, OTHER, 6)
    # When a cluster with 6 slots is ready
    world.deliver(ready("c-1", slots=6))
    # Then acme runs 4 and tenant-1 2, though tenant-1 came first
    assert running_by_tenant(world, jobs) == Counter({OTHER: 4, TENANT: 2})


def test_given_a_tenant_at_max_running_when_slots_free_then_others_go_and_it_says_why() -> None:
    # Given tenant-1 may run one job at a time, and submitted 3 before acme's 2
    world = World()
    board(world).tenant_terms[TENANT] = TenantTerms(quotas=Quotas(max_running=1))
    mine, theirs = submit(world, TENANT, 3), submit(world, OTHER, 2)
    # When a cluster with 4 slots is ready
    world.deliver(ready("c-1", slots=4))
    # Then tenant-1 runs one, acme both, and a slot stays free
    assert running_by_tenant(world, mine + theirs) == Counter({TENANT: 1, OTHER: 2})
    # And a held job says which limit holds it
    held, waiting = world.app.job_and_waiting(TENANT, mine[2].id, at=world.now)
    assert waiting is not None
    assert waiting.quota == "tenant tenant-1 at its limit of 1 running job (max_running)"
    assert job_view(held, waiting, world.now).waiting_reason == (
        "tenant tenant-1 at its limit of 1 running job (max_running); "
        "other tenants' jobs go meanwhile"
    )
    # When the quota is raised, the next dispatch decision uses it
    board(world).tenant_terms[TENANT] = TenantTerms(quotas=Quotas(max_running=2))
    world.app.tick(world.advance(1))
    assert running_by_tenant(world, mine) == Counter({TENANT: 2})


def test_given_a_per_profile_limit_when_reached_then_the_reason_names_the_profile() -> None:
    world = World()
    quotas = Quotas(max_running_per_profile={CLUSTER_PROFILE: 2})
    board(world).tenant_terms[TENANT] = TenantTerms(quotas=quotas)
    mine = submit(world, TENANT, 3)
    world.deliver(ready("c-1", slots=3))

    assert running_by_tenant(world, mine) == Counter({TENANT: 2})
    waiting = board(world).waiting(mine[2].id, world.now)
    assert waiting is not None
    assert waiting.quota == (
        f"tenant {TENANT} at its limit of 2 running jobs on cluster profile {CLUSTER_PROFILE}"
        " (max_running_per_profile)"
    )


def test_given_runs_of_100_s_when_jobs_queue_behind_one_slot_then_they_are_100_s_apart() -> None:
    # Given three runs of 100 s each on a one-slot cluster
    world = World()
    world.deliver(ready("c-1", slots=1))
    for _ in range(3):
        job = submit(world, TENANT, 1)[0]
        world.app.tick(world.now)
        world.advance(100)
        world.deliver(step_event(world.job(job.id).step_id or "", "COMPLETED"))
        assert world.status(job.id) == "succeeded"
    # When three more jobs come: one runs, two wait
    running, first, second = submit(world, TENANT, 3)
    world.app.tick(world.now)
    # Then the waiting ones are expected when the running one and then the first end
    started = world.job(running.id).allocated_at
    assert started is not None
    estimates = [board(world).estimate(job.id, world.now) for job in (first, second)]
    assert [e.start_at if e else None for e in estimates] == [
        started + timedelta(seconds=100),
        started + timedelta(seconds=200),
    ]
    assert estimates[0] is not None
    assert "median slot time 100 s of the last 3 runs" in estimates[0].basis


def test_a_checkpoint_keeps_the_run_times_and_running_counts() -> None:
    world = World()
    board(world).tenant_terms[OTHER] = TenantTerms(weight=3.0)
    world.deliver(ready("c-1", slots=2))
    job = submit(world, OTHER, 1)[0]
    world.app.tick(world.now)
    world.advance(50)
    world.deliver(step_event(world.app.get(OTHER, job.id).step_id or "", "COMPLETED"))
    submit(world, OTHER, 1)
    submit(world, TENANT, 3)
    world.app.tick(world.now)
    live = board(world)
    state = live.checkpoint()
    restored = DispatchBoard.from_checkpoint(state)

    assert state["version"] == CHECKPOINT_VERSION == 3
    assert restored.run_times == live.run_times
    assert restored.running(OTHER, CLUSTER_PROFILE) == live.running(OTHER, CLUSTER_PROFILE) == 1
    assert restored.running(TENANT) == live.running(TENANT) == 1
    assert restored.tenant_terms == live.tenant_terms
    for queued in live.jobs:
        assert restored.waiting(queued, world.now) == live.waiting(queued, world.now)


def test_before_any_run_ended_only_a_job_a_free_slot_takes_is_estimated() -> None:
    # Given one busy slot and one free one, and no run ended yet
    world = World()
    world.deliver(ready("c-1", slots=2))
    running = submit(world, TENANT, 1)[0]
    world.app.tick(world.now)
    assert world.status(running.id) == "running"
    # When two jobs wait (not dispatched yet)
    first, second = submit(world, TENANT, 2)
    estimates = [board(world).estimate(job.id, world.now) for job in (first, second)]
    # Then the first, which the free slot takes, starts now; the second has no estimate
    assert [e.start_at if e else "-" for e in estimates] == [world.now, None]
    assert estimates[1] is not None
    assert estimates[1].basis.endswith("no run ended yet to estimate run times from")
