"""What the cluster service consumes: its queue and the rules that feed it (deploy renders them
into template.yaml; `make run` creates them in the emulator)."""

from __future__ import annotations

from typing import Final

from backbone.messaging.definitions import ConsumerDefinition, Subscription, pattern
from events import schemas as ev

DEFINITION: Final = ConsumerDefinition(
    "cluster_service",
    "cluster-service-events",
    "cluster-service-events-dlq",
    subscriptions=(
        Subscription(
            "jobs",
            pattern(
                ev.JobSubmitted,
                ev.JobAllocated,
                ev.JobSucceeded,
                ev.JobFailed,
                ev.JobCancelled,
                ev.JobRequeued,
            ),
        ),
        Subscription("health", pattern(ev.ClusterUnhealthy)),
        Subscription("emr-clusters", pattern(ev.EmrClusterStateChange), "default"),
        Subscription("stacks", pattern(ev.CloudFormationStackStatusChange), "default"),
    ),
)
