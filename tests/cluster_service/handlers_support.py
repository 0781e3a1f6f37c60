"""The world the handler tests run in (the tests are in test_handlers_*.py and test_translation).

The cluster service through its consumer, on virtual time, with fake CloudFormation and EMR.
`World` plays the rest of the system: the job service's events, AWS's stack and EMR events
(from the FakeProvisioner's stacks), the scheduled tick, and the relay (every stored event
translated, in order, as the relay would). A pool of `small` (2 slots per cluster) with
MINIMUM 1, MAXIMUM 3 and an idle TTL of 10 minutes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from backbone.messaging.consumer import Outcome
from cluster_service.adapters import FakeProvisioner, FakeThresholds
from cluster_service.application import ClusterSummary
from cluster_service.bootstrap import ClusterService, ClusterServiceSettings, bootstrap
from events.schemas import (
    AllocationRejected,
    ClusterUnhealthy,
    IntegrationEvent,
    JobAllocated,
    JobCancelled,
    JobFailed,
    JobRequeued,
    JobSubmitted,
    JobSucceeded,
    derived_event_id,
    to_envelope,
)
from events.schemas.aws import CLOUDFORMATION_SOURCE, EMR_SOURCE

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TTL = 600
THRESHOLDS = {"small": (1, 3, TTL), "medium": (0, 1, TTL), "large": (0, 1, TTL)}
E = TypeVar("E", bound=IntegrationEvent)


class World:
    """See the module docstring."""

    def __init__(self, *, delete_orphans: bool = False) -> None:
        self.now = T0
        self.cloud = FakeProvisioner()
        self.ssm = FakeThresholds()
        settings = ClusterServiceSettings(
            persistence_module="backbone.eventstore.memory",
            delete_orphans=delete_orphans,
        )
        self.service: ClusterService = bootstrap(
            settings,
            provisioner=self.cloud,
            inspector=self.cloud.inspector,
            thresholds=self.ssm,
            clock=lambda: self.now,
        )
        self.app = self.service.app
        self.published: list[IntegrationEvent] = []
        self._position = 0
        self._jobs = 0
        self.app.seed(self.now, THRESHOLDS)
        self.relay()

    # Time and the relay -----------------------------------------------------------------------

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def tick(self) -> None:
        self.service.tick()
        self.relay()

    def relay(self) -> list[IntegrationEvent]:
        """Translate every stored event not yet relayed; the integration events they make."""
        new: list[IntegrationEvent] = []
        for n in self.app.recorder.select_notifications(start=self._position + 1, limit=1000):
            event_id = derived_event_id(
                "cluster-service", str(n.originator_id), n.originator_version
            )
            event = self.service.translate(n, event_id)
            self._position = n.id
            if event is not None:
                new.append(event)
        self.published += new
        return new

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.published if isinstance(e, kind)]

    def of_rejections(self) -> list[AllocationRejected]:
        return self.of(AllocationRejected)

    # Deliveries -------------------------------------------------------------------------------

    def deliver(self, envelope: dict[str, Any]) -> Outcome:
        outcome = self.service.consumer.handle_message_body(json.dumps(envelope))
        self.relay()
        return outcome

    def send(self, event: IntegrationEvent) -> Outcome:
        return self.deliver(to_envelope(event))

    def aws(self, source: str, detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
        """An AWS event's envelope (AWS events carry no id of ours: the envelope's is new)."""
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": detail_type,
            "source": source,
            "account": "123456789012",
            "time": self.now.isoformat(),
            "region": "us-east-1",
            "resources": [],
            "detail": detail,
        }

    def stack_event(self, stack_name: str, status: str, reason: str = "") -> dict[str, Any]:
        stack = self.cloud.set_status(stack_name, status, reason)
        detail = {
            "stack-id": stack.stack_id,
            "client-request-token": "",
            "status-details": {"status": status, "status-reason": reason},
        }
        return self.aws(CLOUDFORMATION_SOURCE, "CloudFormation Stack Status Change", detail)

    def emr_event(self, stack_name: str, state: str, code: str = "") -> dict[str, Any]:
        stack = self.cloud.set_emr_state(stack_name, state)
        name = f"emrcp-{stack.parameters['PoolProfile']}-{stack.parameters['ClusterId']}"
        detail = {
            "clusterId": stack.emr_cluster_id,
            "state": state,
            "name": name,
            "stateChangeReason": json.dumps({"code": code}),
        }
        return self.aws(EMR_SOURCE, "EMR Cluster State Change", detail)

    def aws_emr(self, cluster: ClusterSummary, state: str) -> dict[str, Any]:
        """An EMR event about a cluster whose stack may be gone already."""
        stack = self.cloud.stack(cluster.stack_name)
        detail = {
            "clusterId": stack.emr_cluster_id,
            "state": state,
            "name": f"emrcp-small-{cluster.cluster_id}",
        }
        return self.aws(EMR_SOURCE, "EMR Cluster State Change", detail)

    def stack(self, stack_name: str, status: str, reason: str = "") -> Outcome:
        return self.deliver(self.stack_event(stack_name, status, reason))

    def emr(self, stack_name: str, state: str, code: str = "") -> Outcome:
        return self.deliver(self.emr_event(stack_name, state, code))

    def bring_up(self, stack_names: Iterable[str]) -> None:
        """AWS's real order: the stack starts, EMR starts and waits, the stack completes."""
        for name in stack_names:
            self.stack(name, "CREATE_IN_PROGRESS")
            for state in ("STARTING", "BOOTSTRAPPING", "WAITING"):
                self.emr(name, state)
            self.stack(name, "CREATE_COMPLETE")

    def finish_deletes(self) -> None:
        """Every stack being deleted goes: EMR terminates, the stack is DELETE_COMPLETE."""
        for name in [n for n, s in self.cloud.stacks.items() if s.status == "DELETE_IN_PROGRESS"]:
            self.emr(name, "TERMINATED", "USER_REQUEST")
            self.stack(name, "DELETE_COMPLETE")

    # The job service --------------------------------------------------------------------------

    def common(self, job_id: str) -> dict[str, Any]:
        return {
            "event_id": str(uuid.uuid4()),
            "occurred_at": self.now,
            "job_id": job_id,
            "tenant_id": "tenant-1",
        }

    def submitted(self, job_id: str | None = None) -> JobSubmitted:
        self._jobs += 1
        job_id = job_id or f"job-{self._jobs}"
        return JobSubmitted(
            **self.common(job_id),
            job_profile="scoring",
            cluster_profile="small",
            priority="normal",
            name=job_id,
            timeout_seconds=600,
            submitted_at=self.now,
        )

    def submit(self, count: int) -> list[str]:
        events = [self.submitted() for _ in range(count)]
        for event in events:
            self.send(event)
        return [e.job_id for e in events]

    def allocated(self, job_id: str, cluster_id: str, slot: int, attempt: int = 1) -> JobAllocated:
        return JobAllocated(
            **self.common(job_id),
            cluster_id=cluster_id,
            cluster_profile="small",
            attempt=attempt,
            slot=slot,
        )

    def succeeded(self, job_id: str, cluster_id: str, attempt: int = 1) -> JobSucceeded:
        return JobSucceeded(**self.common(job_id), cluster_id=cluster_id, attempt=attempt)

    def requeued(self, job_id: str, cluster_id: str | None, attempt: int = 1) -> JobRequeued:
        return JobRequeued(
            **self.common(job_id),
            reason="cluster_lost",
            attempt=attempt,
            cluster_id=cluster_id,
            retry_at=self.now,
        )

    def failed(self, job_id: str, cluster_id: str | None, final: bool) -> JobFailed:
        return JobFailed(
            **self.common(job_id),
            cluster_id=cluster_id,
            attempt=1,
            reason="step failed",
            final=final,
        )

    def cancelled(self, job_id: str, cluster_id: str | None = None) -> JobCancelled:
        return JobCancelled(**self.common(job_id), cluster_id=cluster_id)

    def unhealthy(self, cluster_id: str) -> ClusterUnhealthy:
        return ClusterUnhealthy(
            event_id=str(uuid.uuid4()),
            occurred_at=self.now,
            cluster_id=cluster_id,
            last_seen=self.now,
        )

    def change_thresholds(self, **changes: int) -> None:
        pool = self.app.get_pool("small")
        values = {
            "minimum": pool.minimum,
            "maximum": pool.maximum,
            "idle_ttl_seconds": pool.idle_ttl_seconds,
        } | changes
        self.app.change_thresholds("small", changed_by="api", at=self.now, **values)
        self.relay()

    def fill(self, job_ids: list[str]) -> list[tuple[str, str, int]]:
        """Allocate queued jobs to free slots of ready clusters, as the job service would."""
        placed = []
        free = [
            (c.cluster_id, s)
            for c in self.serving()
            for s in range(c.slots)
            if s not in c.jobs.values()
        ]
        for job_id, (cluster_id, slot) in zip(job_ids, free, strict=False):
            self.send(self.allocated(job_id, cluster_id, slot))
            placed.append((job_id, cluster_id, slot))
        return placed

    # What tests read --------------------------------------------------------------------------

    def clusters(self) -> list[ClusterSummary]:
        return self.app.list_clusters("small")

    def alive(self) -> list[ClusterSummary]:
        """Clusters that count toward MAXIMUM: not FAILED, not TERMINATED."""
        return [c for c in self.clusters() if c.state not in ("FAILED", "TERMINATED")]

    def serving(self) -> list[ClusterSummary]:
        return [c for c in self.clusters() if c.state in ("READY", "BUSY")]

    def stack_names(self) -> list[str]:
        return [c.stack_name for c in self.clusters()]

    def assert_no_leak(self) -> None:
        """Invariant 6: every stack created is gone, or owned by a cluster not yet terminated."""
        owners = {c.stack_name: c for c in self.app.list_clusters("small", include_retired=True)}
        for name in self.cloud.created:
            if name in self.cloud.stacks:
                owner = owners[name]
                assert owner.state != "TERMINATED", f"{name} outlived its cluster"
                assert owner.state != "FAILED" or owner.stack_delete_requested, f"{name} leaked"


def a_world_at_rest(**options: Any) -> World:
    """The minimum cluster started and READY."""
    world = World(**options)
    world.bring_up(world.cloud.created)
    return world
