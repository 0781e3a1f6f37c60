"""The job service's consumer handlers: one per consumed detail-type, each one use case.

Each handler passes its event's id as `consumed`, so the marker commits with the change and a
redelivery raises AlreadyConsumed (the Consumer counts it as success). The time of a decision is
the handler's clock, not the event's: events may arrive late.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from backbone.messaging.consumer import AwsEvent, Handler
from events.schemas import (
    AllocationRejected,
    ClusterFailed,
    ClusterIdle,
    ClusterReady,
    ClusterRequested,
    ClusterTerminated,
    ClusterUnhealthy,
    EmrStepStatusChange,
    PoolThresholdsChanged,
)
from job_service.application.pool_signals import PoolSignalUseCases
from job_service.application.signals import SignalUseCases

Clock = Callable[[], datetime]


class JobServiceHandlers:
    """Handlers bound to the signal use cases and one clock; `by_detail_type()` for the
    Consumer."""

    def __init__(
        self, signals: SignalUseCases, pool_signals: PoolSignalUseCases, clock: Clock
    ) -> None:
        self._signals = signals
        self._pool_signals = pool_signals
        self._clock = clock

    def by_detail_type(self) -> dict[str, Handler]:
        return {
            ClusterReady.detail_type: self.on_cluster_ready,
            ClusterIdle.detail_type: self.on_cluster_idle,
            ClusterFailed.detail_type: self.on_cluster_failed,
            ClusterTerminated.detail_type: self.on_cluster_terminated,
            ClusterUnhealthy.detail_type: self.on_cluster_unhealthy,
            AllocationRejected.detail_type: self.on_allocation_rejected,
            ClusterRequested.detail_type: self.on_cluster_requested,
            PoolThresholdsChanged.detail_type: self.on_pool_thresholds_changed,
            EmrStepStatusChange.detail_type: self.on_step_status_change,
        }

    def on_cluster_ready(self, event: ClusterReady) -> None:
        self._signals.cluster_ready(
            event.cluster_id,
            event.cluster_profile,
            event.emr_cluster_id,
            event.slots,
            at=self._clock(),
            consumed=[event.event_id],
        )

    def on_cluster_idle(self, event: ClusterIdle) -> None:
        self._signals.cluster_idle(
            event.cluster_id, event.free_slots, at=self._clock(), consumed=[event.event_id]
        )

    def on_cluster_failed(self, event: ClusterFailed) -> None:
        self._signals.cluster_lost(
            event.cluster_id,
            f"cluster failed: {event.reason}",
            at=self._clock(),
            job_ids=event.lost_job_ids,
            consumed=[event.event_id],
        )

    def on_cluster_terminated(self, event: ClusterTerminated) -> None:
        self._signals.cluster_lost(
            event.cluster_id, "cluster terminated", at=self._clock(), consumed=[event.event_id]
        )

    def on_cluster_unhealthy(self, event: ClusterUnhealthy) -> None:
        reason = (
            f"cluster unhealthy: {event.reason or 'not heard of since ' + str(event.last_seen)}"
        )
        self._signals.cluster_lost(
            event.cluster_id,
            reason,
            at=self._clock(),
            consumed=[event.event_id],
            cancel_steps=True,
        )

    def on_allocation_rejected(self, event: AllocationRejected) -> None:
        self._signals.allocation_rejected(
            event.job_id,
            event.cluster_id,
            event.attempt,
            event.reason,
            at=self._clock(),
            consumed=[event.event_id],
        )

    def on_cluster_requested(self, event: ClusterRequested) -> None:
        self._pool_signals.cluster_requested(
            event.cluster_id,
            event.cluster_profile,
            event.occurred_at,
            at=self._clock(),
            consumed=[event.event_id],
        )

    def on_pool_thresholds_changed(self, event: PoolThresholdsChanged) -> None:
        self._pool_signals.pool_limits_changed(
            event.cluster_profile, event.maximum, at=self._clock(), consumed=[event.event_id]
        )

    def on_step_status_change(self, event: AwsEvent[Any]) -> None:
        detail = event.detail
        assert isinstance(detail, EmrStepStatusChange)
        message = detail.state_change_reason.get("message") or detail.message
        self._signals.step_changed(
            detail.step_id,
            detail.state,
            at=self._clock(),
            message=message,
            consumed=[event.event_id],
        )
