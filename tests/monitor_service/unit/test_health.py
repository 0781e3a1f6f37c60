"""Health: services from heartbeats (on virtual time), clusters from EMR, the monitor's own beat."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from events.schemas import ClusterUnhealthy, Heartbeat, ServiceUnhealthy, to_envelope
from monitor_service.application import audit_record
from monitor_service.domain import (
    AuditRecord,
    HeartbeatPolicy,
    MonitorPolicy,
    ServiceHealthBoard,
    to_ms,
)
from tests.monitor_service import support as s

TICK = 60
TIMEOUT = 3 * TICK
SERVICES = ("job-service", "cluster-service", "monitor-service")


def _beat_and_tick(world: s.World, until: float, stopped: Mapping[str, float]) -> None:
    """Every service beats each minute (until its stop time, if any); the monitor ticks after."""
    start = int(world.now.timestamp() - s.T0.timestamp()) // TICK + 1
    for minute in range(start, int(until // TICK) + 1):
        now = minute * TICK
        for n, service in enumerate(SERVICES):
            if now < stopped.get(service, float("inf")):
                world.set(now + n)
                world.deliver(s.heartbeat(service, now + n, minute))
        world.set(now + 10)
        world.app.tick(world.now)


def _record(event: Any) -> AuditRecord:
    return audit_record(event, event.occurred_at)


def _states(world: s.World) -> dict[str, str]:
    return {row["service"]: row["state"] for row in world.app.health(world.now)["services"]}


def test_a_stopped_service_is_unhealthy_within_its_timeout_and_healthy_when_it_returns() -> None:
    world = s.World()
    # Given every service beating each minute (the monitor ticking 10 s later) for nine minutes
    _beat_and_tick(world, 540, {})
    assert set(_states(world).values()) == {"healthy"}
    # When the job service stops beating after its beat at 540 s
    stopped = {"job-service": 541}
    _beat_and_tick(world, 700, stopped)
    # Then it is still healthy at the ticks within its timeout (610 s, 670 s)...
    assert _states(world)["job-service"] == "healthy"
    # ... and unhealthy at the first tick past it (730 s), announced once
    _beat_and_tick(world, 760, stopped)
    assert _states(world)["job-service"] == "unhealthy"
    _beat_and_tick(world, 1200, stopped)
    (announced,) = [e for e in world.published() if isinstance(e, ServiceUnhealthy)]
    assert (announced.service, announced.instance_id) == ("job-service", "i-1")
    assert (announced.last_heartbeat_at, announced.occurred_at) == (s.at(540), s.at(730))
    assert _states(world) == dict.fromkeys(SERVICES, "healthy") | {"job-service": "unhealthy"}
    # When its heartbeats return, it is healthy again at once (a stored Recovered)
    world.set(1201)
    world.deliver(s.heartbeat("job-service", 1201, 99))
    assert _states(world)["job-service"] == "healthy"
    _beat_and_tick(world, 1500, {})
    assert _states(world) == dict.fromkeys(SERVICES, "healthy")
    assert world.published_types().count("ServiceUnhealthy") == 1


def test_a_beat_after_the_mark_revives_a_service_even_if_recorded_without_the_recovery() -> None:
    # Given a service marked unhealthy after its beat at 60 s (as another process decided, so
    # this board applied the mark after the newer beat came in)
    board = ServiceHealthBoard(HeartbeatPolicy(expected=("cluster-service",)))
    board.beat(_record(s.heartbeat("cluster-service", 595, 50)))
    board.marked_unhealthy("cluster-service", to_ms(s.at(60)))
    # Then the beat revives it while fresh, and only a beat newer than the mark does
    assert board.revived(to_ms(s.at(612))) == ["cluster-service"]
    assert board.revived(to_ms(s.at(595 + TIMEOUT + 1))) == []
    board.marked_unhealthy("cluster-service", to_ms(s.at(595)))
    assert board.revived(to_ms(s.at(612))) == []


def test_a_service_never_heard_of_is_unhealthy_once_the_monitor_watched_a_timeout() -> None:
    world = s.World(policy=MonitorPolicy(heartbeats=HeartbeatPolicy(expected=("job-service",))))
    world.set(0)
    world.deliver(s.submitted("a", 0))
    assert world.app.check(s.at(TIMEOUT)).unhealthy == []
    assert world.app.check(s.at(TIMEOUT + 1)).unhealthy == ["job-service"]
    (announced,) = [e for e in world.published() if isinstance(e, ServiceUnhealthy)]
    assert announced.last_heartbeat_at is None and announced.instance_id is None


def test_heartbeat_timeouts_are_per_service() -> None:
    policy = HeartbeatPolicy(default_timeout_seconds=180, timeouts={"cluster-service": 600})
    world = s.World(policy=MonitorPolicy(heartbeats=policy))
    _beat_and_tick(world, 60, {})
    assert world.app.check(s.at(60 + 400)).unhealthy == ["job-service", "monitor-service"]


def test_lost_beats_are_gaps_in_an_instances_sequence() -> None:
    world = s.World()
    for sequence in (1, 2, 5, 6):
        world.deliver(s.heartbeat("job-service", sequence * 60, sequence, instance="i-9"))
    world.deliver(s.heartbeat("job-service", 300, 1, instance="i-8"))
    world.set(400)
    (job_service,) = [
        r for r in world.app.health(world.now)["services"] if r["service"] == "job-service"
    ]
    assert job_service["instances"] == [
        {
            "instance_id": "i-8",
            "last_heartbeat_at": "2024-01-01T00:05:00+00:00",
            "sequence": 1,
            "lost_beats": 0,
        },
        {
            "instance_id": "i-9",
            "last_heartbeat_at": "2024-01-01T00:06:00+00:00",
            "sequence": 6,
            "lost_beats": 2,
        },
    ]
    assert job_service["heartbeat_age_seconds"] == 40.0


def test_a_killed_and_restarted_instance_drops_out_within_the_timeout() -> None:
    world = s.World()
    # Given the job service beating as i-1 each minute, killed after its beat at 300 s and
    # restarted as i-2, which beats from 330 s on
    _beat_and_tick(world, 300, {})
    for minute in range(6, 20):
        world.set(minute * TICK - 30)
        world.deliver(s.heartbeat("job-service", minute * TICK - 30, minute - 5, instance="i-2"))

    def listed(seconds: float) -> list[str]:
        world.set(seconds)
        (row,) = [
            r for r in world.app.health(world.now)["services"] if r["service"] == "job-service"
        ]
        return [instance["instance_id"] for instance in row["instances"]]

    # Then both are listed while i-1 could still be alive, and i-2 alone once i-1 has been
    # silent for the heartbeat timeout (3 minutes, not 8)
    assert listed(300 + TIMEOUT) == ["i-1", "i-2"]
    assert listed(300 + TIMEOUT + 1) == ["i-2"]
    # And a service whose every instance went silent still shows the last one heard from
    assert listed(19 * TICK - 30 + 2 * TIMEOUT) == ["i-2"]


def test_emr_terminated_with_errors_for_a_known_cluster_raises_one_cluster_unhealthy() -> None:
    world = s.World()
    world.deliver(s.requested("c-1", 0))
    world.deliver(s.ready("c-1", 300, emr="j-ABC"))
    world.deliver(s.allocated("a", 400, "c-1"))
    world.set(500)
    world.deliver(s.emr_cluster_change("j-ABC", "TERMINATED_WITH_ERRORS", 500, "disk full"))
    world.deliver(s.emr_cluster_change("j-ABC", "TERMINATED_WITH_ERRORS", 501))
    (alarm,) = [e for e in world.published() if isinstance(e, ClusterUnhealthy)]
    assert (alarm.cluster_id, alarm.cluster_profile, alarm.last_seen) == ("c-1", "small", s.at(400))
    assert alarm.reason == "EMR reported TERMINATED_WITH_ERRORS: disk full"
    (cluster,) = world.app.health(world.now)["clusters"]
    assert (cluster["unhealthy"], cluster["emr_cluster_id"]) == (True, "j-ABC")


def test_emr_failures_of_unknown_or_ended_clusters_raise_nothing() -> None:
    world = s.World()
    world.deliver(s.emr_cluster_change("j-NEVERSEEN", "TERMINATED_WITH_ERRORS", 5))
    world.deliver(s.ready("c-1", 10, emr="j-ABC"))
    world.deliver(s.terminated("c-1", 20))
    world.deliver(s.emr_cluster_change("j-ABC", "TERMINATED_WITH_ERRORS", 30))
    world.deliver(s.ready("c-2", 10, emr="j-DEF"))
    world.deliver(s.emr_cluster_change("j-DEF", "TERMINATED", 40))
    assert world.published_types() == []


def test_the_monitor_beats_each_tick_and_is_healthy_when_its_beats_come_back() -> None:
    world = s.World()
    for minute in (1, 2):
        world.set(minute * 60)
        assert world.app.tick(world.now).heartbeat == minute
    beats = [e for e in world.published() if isinstance(e, Heartbeat)]
    assert [(b.service, b.instance_id, b.sequence) for b in beats] == [
        ("monitor-service", "monitor-1", 1),
        ("monitor-service", "monitor-1", 2),
    ]
    assert to_envelope(beats[0])["source"] == "emr-control-plane.monitor-service"
    for beat in beats:
        world.deliver(beat)
    assert _states(world)["monitor-service"] == "healthy"
