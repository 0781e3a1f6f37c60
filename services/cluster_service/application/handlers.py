"""The cluster service's consumer handlers: one per consumed detail-type, each one use case.

Each handler passes its event's id as `consumed`, so the marker commits with the change and a
redelivery raises AlreadyConsumed (the Consumer counts it as success); a handler that changes
nothing still records its marker. The exceptions are AWS events about stacks and EMR clusters
that are not ours (see `signals`). The time of a decision is the handler's clock, not the event's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from backbone.messaging.consumer import AwsEvent, Handler
from cluster_service.application.app import ClustersApplication
from events.schemas import (
    CloudFormationStackStatusChange,
    ClusterUnhealthy,
    EmrClusterStateChange,
    JobAllocated,
    JobCancelled,
    JobFailed,
    JobRequeued,
    JobSubmitted,
    JobSucceeded,
)

Clock = Callable[[], datetime]


class ClusterServiceHandlers:
    """Handlers bound to one application and one clock; `by_detail_type()` for the Consumer."""

    def __init__(self, app: ClustersApplication, clock: Clock) -> None:
        self._app = app
        self._clock = clock

    def by_detail_type(self) -> dict[str, Handler]:
        return {
            JobSubmitted.detail_type: self.on_job_submitted,
            JobAllocated.detail_type: self.on_job_allocated,
            JobRequeued.detail_type: self.on_job_requeued,
            JobSucceeded.detail_type: self.on_job_succeeded,
            JobFailed.detail_type: self.on_job_failed,
            JobCancelled.detail_type: self.on_job_cancelled,
            ClusterUnhealthy.detail_type: self.on_cluster_unhealthy,
            EmrClusterStateChange.detail_type: self.on_emr_cluster_state_change,
            CloudFormationStackStatusChange.detail_type: self.on_stack_status_change,
        }

    def on_job_submitted(self, event: JobSubmitted) -> None:
        self._app.job_submitted(
            event.job_id, event.cluster_profile, self._clock(), consumed=[event.event_id]
        )

    def on_job_allocated(self, event: JobAllocated) -> None:
        self._app.job_allocated(
            event.job_id,
            event.tenant_id,
            event.cluster_id,
            event.cluster_profile,
            event.attempt,
            event.slot,
            self._clock(),
            consumed=[event.event_id],
        )

    def on_job_requeued(self, event: JobRequeued) -> None:
        self._app.job_requeued(
            event.job_id, event.cluster_id, event.attempt, self._clock(), [event.event_id]
        )

    def on_job_succeeded(self, event: JobSucceeded) -> None:
        self._app.job_finished(event.job_id, event.cluster_id, self._clock(), [event.event_id])

    def on_job_failed(self, event: JobFailed) -> None:
        """A final failure ends the job; otherwise a retry follows and the job waits again."""
        if event.final:
            self._app.job_finished(event.job_id, event.cluster_id, self._clock(), [event.event_id])
        else:
            self._app.job_requeued(
                event.job_id, event.cluster_id, event.attempt, self._clock(), [event.event_id]
            )

    def on_job_cancelled(self, event: JobCancelled) -> None:
        self._app.job_finished(event.job_id, event.cluster_id, self._clock(), [event.event_id])

    def on_cluster_unhealthy(self, event: ClusterUnhealthy) -> None:
        self._app.cluster_unhealthy(event.cluster_id, self._clock(), [event.event_id])

    def on_emr_cluster_state_change(self, event: AwsEvent[Any]) -> None:
        detail = event.detail
        assert isinstance(detail, EmrClusterStateChange)
        reason = detail.state_change_reason.get("message") or detail.reason_code or ""
        self._app.emr_state_changed(
            detail.cluster_id,
            detail.state,
            self._clock(),
            name=detail.name,
            reason=str(reason),
            consumed=[event.event_id],
        )

    def on_stack_status_change(self, event: AwsEvent[Any]) -> None:
        detail = event.detail
        assert isinstance(detail, CloudFormationStackStatusChange)
        self._app.stack_status_changed(
            detail.stack_name,
            detail.status_details.status,
            self._clock(),
            reason=detail.status_details.status_reason,
            consumed=[event.event_id],
        )
