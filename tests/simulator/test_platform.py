"""The `platform` policy: the services' own code on the simulator's bus, clock and cloud model."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.compare import run_policies
from simulator.platform import PlatformRun
from simulator.scenario import PoolSettings
from simulator.workload import hour_of_week, in_memory
from tests.simulator.support import jobs, scenario


def test_the_platform_finishes_every_job_on_its_warm_minimum() -> None:
    # min 1 (warm before the first job), 2 slots: three jobs, never more than two at once
    workload = in_memory(jobs((0, 100), (0, 100), (3000, 100)))
    result = PlatformRun(scenario(minimum=1, maximum=2), workload).run()
    assert (result.jobs, result.jobs_finished) == (3, 3)
    assert result.clusters_started == 1
    # the job service dispatches a queued job on its next Tick (every 60 s; the first job comes
    # on the tick grid, so it waits a whole one), and the step runs 10 s after it is added
    assert result.waits.p95("critical") == 70.0
    # the cluster is billed from the warm-up (720 s before the first job) to the last job's end
    # (submitted at 3000, dispatched on the next Tick, 70 s, and run for 100 s)
    assert result.cost_usd == pytest.approx((720 + 3000 + 70 + 100) * 0.001, abs=0.01)
    assert result.sla_met


def test_a_burst_above_the_warm_slots_waits_for_a_slot_or_a_new_cluster() -> None:
    workload = in_memory(jobs(*[(0, 1200)] * 4))
    result = PlatformRun(scenario(minimum=1, maximum=2), workload).run()
    assert result.jobs_finished == 4
    assert result.clusters_started == 2
    # two jobs start on the next Tick; two wait for the second cluster, asked for when the jobs
    # were submitted, WAITING 600 s later, and dispatched on its ClusterReady
    histogram = result.waits.by_class["critical"]
    assert histogram.percentile(50) == 70.0
    assert 600 <= histogram.percentile(95) <= 620


def test_ttl_only_starts_from_nothing_and_the_platform_run_from_its_minimum() -> None:
    workload = in_memory(jobs((0, 100), (4000, 100)))
    results = run_policies(
        scenario(minimum=1, maximum=2, ttl=600),
        workload,
        policies=("platform", "ttl_only"),
    )
    platform, ttl_only = results
    assert platform.waits.p95("critical") <= 70
    # no MINIMUM: each job waits for a cluster, the idle one is gone after 600 s of TTL
    assert ttl_only.waits.p95("critical") >= 600
    assert ttl_only.clusters_started == 2
    assert ttl_only.settings == {"p": PoolSettings(0, 2, 600).as_dict()}


def test_skipping_idle_ticks_the_fast_cache_and_forgetting_change_no_figure() -> None:
    workload = in_memory(
        jobs(*[(i * 250.0, 400.0 + 300 * (i % 3)) for i in range(12)], (9000, 100), (9030, 50))
    )
    figures = set()
    for quiet, fast, forget in ((True, True, True), (False, False, False)):
        result = PlatformRun(
            scenario(minimum=0, maximum=3, ttl=300),
            workload,
            quiet_ticks=quiet,
            fast_cache=fast,
            forget=forget,
            timeline=False,
        ).run()
        assert result.jobs_finished == 14
        figures.add(
            (
                round(result.cost_usd, 4),
                result.clusters_started,
                tuple(result.waits.by_class["critical"].cdf()[0]),
            )
        )
    assert len(figures) == 1


def test_skipping_the_cluster_services_idle_ticks_changes_nothing_it_does() -> None:
    import random

    from simulator.workload import SimJob

    # bursts above MAXIMUM, quiet hours for idle TTLs, and a MINIMUM schedule that rises and
    # falls through the day: every reason the cluster service's Tick has work
    rng = random.Random(11)
    arrivals, t = [], 0.0
    for i in range(160):
        t += rng.choice([5.0, 30.0, 400.0, 2500.0])
        priority = rng.choice(["critical", "high", "low"])
        arrivals.append(SimJob(i, t, rng.choice([60, 700, 2000]), "p", priority, f"t{i % 3}"))
    schedule = tuple((0, 0, 1, 2, 3, 1)[hour % 6] for hour in range(168))
    outcomes, ticks = [], []
    for skip in (True, False):
        run = PlatformRun(
            scenario(minimum=0, maximum=4, ttl=300),
            in_memory(arrivals),
            timeline=False,
            forget=False,
            schedules={"p": schedule},
        )
        if not skip:  # the job service's Ticks as before, the cluster service's with each
            run._cluster_tick_idle = lambda: False  # type: ignore[method-assign]
        counted = {"ticks": 0}
        tick = run.clusters.app.tick

        def counting(at: Any, tick: Any = tick, counted: dict[str, int] = counted) -> Any:
            counted["ticks"] += 1
            return tick(at)

        run.clusters.app.tick = counting
        result = run.run()
        assert result.jobs_finished == 160
        events = [  # new clusters' ids are random: the same events in the same order
            (n.topic, n.originator_version)
            for app in (run.clusters.app, run.jobs.app)
            for n in app.recorder.select_notifications(start=1, limit=10**6)
        ]
        waits = {c: tuple(h.cdf()[0]) for c, h in result.waits.by_class.items()}
        outcomes.append((round(result.cost_usd, 6), result.clusters_started, waits, events))
        ticks.append(counted["ticks"])
    assert outcomes[0] == outcomes[1]
    assert ticks[0] < ticks[1] / 3  # most of them were skipped


def test_a_minimum_schedule_is_kept_and_followed_by_the_cluster_service() -> None:
    workload = in_memory(jobs((0, 100)))
    flat = PlatformRun(scenario(minimum=0, maximum=2), workload).run()
    # MINIMUM 1 every hour of the week: a cluster is warm before the first job
    run = PlatformRun(scenario(minimum=0, maximum=2), workload, schedules={"p": (1,) * 168})
    scheduled = run.run()
    pool = run.clusters.app.get_pool("p")
    assert (pool.minimum, pool.effective_minimum, pool.schedule_time_zone) == (0, 1, "UTC")
    assert flat.waits.p95("critical") >= 600
    assert scheduled.waits.p95("critical") <= 70
    assert scheduled.jobs_finished == 1


def test_the_pool_model_costs_what_the_services_cost_on_the_same_arrivals() -> None:
    import random

    from simulator.models import model_result
    from simulator.workload import SimJob

    rng = random.Random(5)
    arrivals, t = [], 0.0
    for i in range(300):
        t += rng.expovariate(1 / 200)
        run = rng.choice([300, 900, 1800, 3600])
        arrivals.append(SimJob(i, t, run, "p", rng.choice(["critical", "low"]), "t1"))
    pools = scenario(minimum=1, maximum=4, ttl=600)
    platform = PlatformRun(pools, in_memory(arrivals), timeline=False).run()
    model = model_result("model", pools, in_memory(arrivals), pools.pools)
    assert model.cost_usd == pytest.approx(platform.cost_usd, rel=0.03)
    # Under saturation their waits per class part: the job service ages waiting jobs' priority,
    # the model keeps it strict, so critical waits less in the model (docs/simulator.md)
    assert model.waits.p95("critical") < platform.waits.p95("critical")


def test_a_schedule_is_turned_from_the_logs_week_to_the_services_clock() -> None:
    # The hour of the log's week that starts at its first job is in force on the services'
    # clock in the hour of that job's arrival, to the nearest hour.
    workload = in_memory(jobs((0, 100)))
    week = tuple(range(168))
    run = PlatformRun(scenario(minimum=0, maximum=200), workload, schedules={"p": week})
    first = hour_of_week(workload.summary, run.scenario.startup.to_waiting_high_s)
    arrival = run.offset  # the first job's arrival on the services' clock
    kept = run.service_schedules["p"]
    assert kept[int(arrival // 3600) % 168] in {(first + d) % 168 for d in (-1, 0, 1)}
    assert sorted(kept) == list(week)


def test_policies_run_at_once_give_the_figures_they_give_in_turn() -> None:
    workload = in_memory(jobs(*[(i * 400.0, 300.0 + 200 * (i % 3)) for i in range(10)]))
    chosen = ("platform", "static", "ttl_only", "lower_bound")
    figures = []
    for workers in (1, 3):
        results = run_policies(
            scenario(minimum=1, maximum=3, ttl=300), workload, policies=chosen, workers=workers
        )
        assert [r.name for r in results] == list(chosen)
        figures.append(
            [(round(r.cost_usd, 6), r.clusters_started, r.waits.p95("critical")) for r in results]
        )
    assert figures[0] == figures[1]


def test_a_policy_that_fails_in_its_own_process_is_reported() -> None:
    with pytest.raises(RuntimeError, match="policy nonsense failed"):
        run_policies(
            scenario(), in_memory(jobs((0, 100))), policies=("lower_bound", "nonsense"), workers=2
        )
