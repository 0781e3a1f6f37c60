"""What the monitor API answers: response models (the OpenAPI document's schemas).

The actions answer the application's JSON-able dicts as they are; a test checks that real
answers validate against these models, so the document says what the API sends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Row = dict[str, str | int | float | None]
"""A metrics row: its string fields are labels, its numbers the figures."""


class View(BaseModel):
    """Base of the response models (field docstrings become their descriptions)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class InstanceView(View):
    instance_id: str
    last_heartbeat_at: datetime
    sequence: int
    lost_beats: int
    """Heartbeats missing between the instance's first and newest sequence numbers."""


class ServiceView(View):
    service: str
    state: Literal["healthy", "unhealthy", "unknown"]
    """unknown: no heartbeat seen yet and not yet overdue."""
    last_heartbeat_at: datetime | None
    heartbeat_age_seconds: float | None
    instances: list[InstanceView]


class ClusterHealthView(View):
    cluster_id: str
    profile: str | None
    phase: str
    emr_cluster_id: str | None
    unhealthy: bool
    """An EMR failure was reported while the cluster was in use (ClusterUnhealthy raised)."""
    last_seen: datetime | None


class DeadLetterQueueView(View):
    queue: str
    """The consumer's queue."""
    dead_letter_queue: str
    depth: int
    """Messages the consumer gave up on (jobctl dlq list shows them, jobctl dlq redrive sends
    them back)."""


class HealthView(View):
    """Every service from its heartbeats, and every cluster the monitor knows."""

    at: datetime
    services: list[ServiceView]
    clusters: list[ClusterHealthView]
    dead_letter_queues: list[DeadLetterQueueView] = []
    """Each consumer's dead-letter queue, now (whatever as_of says: SQS keeps no past)."""


class MetricsView(View):
    """Every figure at `at`, in sections of rows (Prometheus names: application/exposition.py)."""

    at: datetime
    queue_depth: list[Row]
    wait_seconds: list[Row]
    priority_wait_seconds: list[Row]
    cycle_seconds: list[Row]
    jobs_finished_last_hour: list[Row]
    jobs_finished: list[Row]
    clusters: list[Row]
    cluster_seconds: list[Row]
    slot_utilization: list[Row]
    slots: list[Row]
    pool_minimum: list[Row]
    pool_maximum: list[Row]
    pool_idle_ttl_seconds: list[Row]
    pool_effective_minimum: list[Row]
    """The MINIMUM a pool keeps now (its schedule's hour may raise it above pool_minimum)."""
    pool_scheduled: list[Row]
    """1 for a pool that keeps a MINIMUM schedule."""
    orphan_stacks_found: list[Row]
    """Stacks tagged with a pool that no cluster owns, found so far, per profile."""
    cluster_hourly_dollars: list[Row]
    cost_dollars: list[Row]
    tenant_cost_dollars: list[Row]
    unallocated_cost_dollars: list[Row]
    unpriced_profile: list[Row]
    sla_target_seconds: list[Row]
    oldest_wait_seconds: list[Row]
    sla_breaches: list[Row]
    service_up: list[Row]
    hourly: list[Row]
    """Per profile and UTC hour of the last 24: cluster seconds by phase, utilization, dollars."""
    dead_letter_messages: list[Row] = []
    """Per consumer queue, the messages in its dead-letter queue, now (whatever as_of says)."""


class DeadLetterView(View):
    queue: str
    """The consumer's queue it came from, and goes back to on a redrive."""
    message_id: str
    detail_type: str | None
    event_id: str | None
    """The id the consumer deduplicates on (a redriven copy of a handled event changes
    nothing)."""
    receive_count: int
    """How often the consumer received it before giving up."""
    first_error: str | None
    """Why it failed, if the message says; else the consumer's log has it, by message id."""
    age_seconds: float
    """Since it was first sent to the consumer's queue."""


class DeadLettersView(View):
    """GET /dead-letters: the dead-letter queues and their messages, oldest first."""

    queues: list[DeadLetterQueueView]
    messages: list[DeadLetterView]


class RedriveView(View):
    """POST /dead-letters/redrive: how many messages went back to each queue."""

    moved: dict[str, int]
    total: int


class AuditEventView(View):
    event_id: str
    detail_type: str
    source: str
    occurred_at: datetime
    """When it happened, by its publisher's clock (the audit order)."""
    recorded_at: datetime
    """When the monitor recorded it (what as_of cuts on)."""
    job_id: str | None
    tenant_id: str | None
    cluster_id: str | None
    detail: dict[str, Any]


class AuditPageView(View):
    """GET /audit/events: oldest first; next_token is null on the last page."""

    events: list[AuditEventView]
    next_token: str | None


class JobTimelineView(View):
    """Everything recorded about one job, across the three services and EMR, oldest first."""

    job_id: str
    events: list[AuditEventView]


class JobRunView(View):
    """One job as the platform recorded it: what the capacity simulator replays."""

    job_id: str
    tenant_id: str
    job_profile: str
    cluster_profile: str
    """The pool it ran on (the simulator's profile)."""
    priority: str
    submitted_at: datetime
    started_at: datetime | None
    """Its first step's start (JobStarted); null if it never started."""
    ended_at: datetime | None
    """Its terminal event; null while it has not ended."""
    outcome: Literal["succeeded", "failed", "cancelled"] | None
    attempts: int
    """Attempts that got a step."""
    wait_s: float | None
    """Submission to the first step start."""
    run_time_s: float | None
    """How long the step of the attempt that ended the job ran (EMR's RUNNING to its end, else
    JobStarted to the terminal event); null if the job has not ended or never started."""


class JobHistoryView(View):
    """GET /audit/jobs: jobs in submission order; next_token is null on the last page."""

    jobs: list[JobRunView]
    next_token: str | None
