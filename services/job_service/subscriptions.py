"""What the job service consumes: its queue and the rules that feed it (deploy renders them
into template.yaml; `make run` creates them in the emulator)."""

from __future__ import annotations

from typing import Final

from backbone.messaging.definitions import ConsumerDefinition, Subscription, pattern
from events import schemas as ev

DEFINITION: Final = ConsumerDefinition(
    "job_service",
    "job-service-events",
    "job-service-events-dlq",
    subscriptions=(
        Subscription(
            "clusters",
            pattern(
                ev.ClusterReady,
                ev.ClusterIdle,
                ev.ClusterFailed,
                ev.ClusterTerminated,
                ev.AllocationRejected,
            ),
        ),
        Subscription("pools", pattern(ev.ClusterRequested, ev.PoolThresholdsChanged)),
        Subscription("health", pattern(ev.ClusterUnhealthy)),
        Subscription("emr-steps", pattern(ev.EmrStepStatusChange), "default"),
    ),
)
