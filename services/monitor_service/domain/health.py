"""Service health from heartbeats: each service's instances, last beat, lost beats, state.

A service is healthy while its newest heartbeat (any instance, by the heartbeat's own time) is
at most its timeout old; `stale(at)` names the healthy services past it (a service expected but
never heard of is stale once the monitor has watched for a timeout), `revived(at)` the unhealthy
ones that beat again after they were marked. The marks themselves are stored decisions
(ServiceHealth events) applied through `marked_unhealthy` / `marked_recovered`, so a rebuilt
board holds the same states. Lost beats are gaps in an instance's sequence numbers. The view
lists the instances heard from within the timeout (a restarted process beats under a new id, and
its dead predecessor drops out once silent that long), and the last one heard from in any case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from monitor_service.domain.errors import InvalidPolicy
from monitor_service.domain.records import AuditRecord, from_ms, iso

SERVICES: Final = ("job-service", "cluster-service", "monitor-service")


@dataclass(frozen=True)
class HeartbeatPolicy:
    """Timeouts in seconds: default 3 x a 60 s tick; `timeouts` overrides per service."""

    default_timeout_seconds: float = 180.0
    timeouts: Mapping[str, float] = field(default_factory=dict)
    expected: tuple[str, ...] = SERVICES

    def __post_init__(self) -> None:
        if min([self.default_timeout_seconds, *self.timeouts.values()]) <= 0:
            raise InvalidPolicy("heartbeat timeouts must be more than 0 seconds")

    def timeout_ms(self, service: str) -> int:
        return round(self.timeouts.get(service, self.default_timeout_seconds) * 1000)


@dataclass
class InstanceBeats:
    last_ms: int
    lowest: int
    highest: int
    beats: int = 1

    @property
    def lost(self) -> int:
        return max(0, self.highest - self.lowest + 1 - self.beats)


@dataclass
class ServiceState:
    instances: dict[str, InstanceBeats] = field(default_factory=dict)
    last_ms: int | None = None
    last_instance: str | None = None
    unhealthy: bool = False
    marked_after_ms: int | None = None
    """The newest beat when it was marked unhealthy: only a newer one revives it."""


@dataclass(frozen=True)
class Staleness:
    service: str
    instance_id: str | None
    last_heartbeat_ms: int | None


class ServiceHealthBoard:
    """See the module docstring."""

    def __init__(self, policy: HeartbeatPolicy) -> None:
        self.policy = policy
        self.services: dict[str, ServiceState] = {name: ServiceState() for name in policy.expected}
        self.watching_since_ms: int | None = None

    def observe(self, ms: int) -> None:
        """The monitor stored something at `ms`: it has been watching since the earliest."""
        if self.watching_since_ms is None or ms < self.watching_since_ms:
            self.watching_since_ms = ms

    def beat(self, record: AuditRecord) -> None:
        service, instance_id = record.text("service"), record.text("instance_id")
        if service is None or instance_id is None:
            return
        ms, sequence = record.occurred_ms, record.number("sequence")
        state = self.services.setdefault(service, ServiceState())
        beats = state.instances.get(instance_id)
        if beats is None:
            state.instances[instance_id] = InstanceBeats(ms, sequence, sequence)
        else:
            beats.last_ms = max(beats.last_ms, ms)
            beats.lowest, beats.highest = min(beats.lowest, sequence), max(beats.highest, sequence)
            beats.beats += 1
        if state.last_ms is None or ms > state.last_ms:
            state.last_ms, state.last_instance = ms, instance_id

    def marked_unhealthy(self, service: str, last_heartbeat_ms: int | None) -> None:
        state = self.services.setdefault(service, ServiceState())
        state.unhealthy, state.marked_after_ms = True, last_heartbeat_ms

    def marked_recovered(self, service: str) -> None:
        self.services.setdefault(service, ServiceState()).unhealthy = False

    def stale(self, at_ms: int) -> list[Staleness]:
        found = []
        for name, state in sorted(self.services.items()):
            since = state.last_ms if state.last_ms is not None else self.watching_since_ms
            if state.unhealthy or since is None:
                continue
            if at_ms - since > self.policy.timeout_ms(name):
                found.append(Staleness(name, state.last_instance, state.last_ms))
        return found

    def revived(self, at_ms: int) -> list[str]:
        return [
            name
            for name, state in sorted(self.services.items())
            if state.unhealthy
            and state.last_ms is not None
            and self._fresh(name, state, state.last_ms, at_ms)
        ]

    def revives(self, record: AuditRecord, at_ms: int) -> bool:
        """Whether this heartbeat brings its unhealthy service back."""
        state = self.services.get(record.text("service") or "")
        if record.detail_type != "Heartbeat" or state is None or not state.unhealthy:
            return False
        return self._fresh(record.text("service") or "", state, record.occurred_ms, at_ms)

    def _fresh(self, name: str, state: ServiceState, beat_ms: int, at_ms: int) -> bool:
        newer = state.marked_after_ms is None or beat_ms > state.marked_after_ms
        return newer and at_ms - beat_ms <= self.policy.timeout_ms(name)

    def view(self, at_ms: int) -> list[dict[str, Any]]:
        return [
            _service_view(name, state, at_ms, self.policy.timeout_ms(name))
            for name, state in sorted(self.services.items())
        ]


def _listed(state: ServiceState, at_ms: int, timeout_ms: int) -> list[str]:
    """The instances a view lists: those heard of within the timeout. An instance silent for
    longer is gone (a killed process's restart beats under a new id), unless it is the last the
    service was heard from: then it stays, as what the unhealthy service was last seen as."""
    return sorted(
        instance_id
        for instance_id, beats in state.instances.items()
        if at_ms - beats.last_ms <= timeout_ms or instance_id == state.last_instance
    )


def _service_view(name: str, state: ServiceState, at_ms: int, timeout_ms: int) -> dict[str, Any]:
    status = "unhealthy" if state.unhealthy else "healthy"
    if state.last_ms is None and not state.unhealthy:
        status = "unknown"
    return {
        "service": name,
        "state": status,
        "last_heartbeat_at": None if state.last_ms is None else iso(from_ms(state.last_ms)),
        "heartbeat_age_seconds": None if state.last_ms is None else (at_ms - state.last_ms) / 1000,
        "instances": [
            _instance_view(instance_id, state.instances[instance_id])
            for instance_id in _listed(state, at_ms, timeout_ms)
        ],
    }


def _instance_view(instance_id: str, beats: InstanceBeats) -> dict[str, Any]:
    return {
        "instance_id": instance_id,
        "last_heartbeat_at": iso(from_ms(beats.last_ms)),
        "sequence": beats.highest,
        "lost_beats": beats.lost,
    }
