"""What the monitor service consumes: every event of ours, and AWS's EMR and CloudFormation
events (deploy renders the rules into template.yaml; `make run` creates them in the emulator)."""

from __future__ import annotations

from typing import Final

from backbone.messaging.definitions import ConsumerDefinition, Subscription, pattern
from events import schemas as ev

DEFINITION: Final = ConsumerDefinition(
    "monitor_service",
    "monitor-service-events",
    "monitor-service-events-dlq",
    subscriptions=(
        Subscription("everything", {"source": [{"prefix": ev.SOURCE_PREFIX}]}),
        Subscription("emr", pattern(ev.EmrClusterStateChange, ev.EmrStepStatusChange), "default"),
        Subscription("stacks", pattern(ev.CloudFormationStackStatusChange), "default"),
    ),
)
