"""The base of every integration event, and the field types the events share."""

import json
import uuid
from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, FiniteFloat, StringConstraints

SOURCE_PREFIX = "emr-control-plane."
JOB_SERVICE_SOURCE = SOURCE_PREFIX + "job-service"
CLUSTER_SERVICE_SOURCE = SOURCE_PREFIX + "cluster-service"
MONITOR_SERVICE_SOURCE = SOURCE_PREFIX + "monitor-service"

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

EventId = Annotated[str, StringConstraints(pattern=UUID_PATTERN)]
"""A UUID in its 36-character text form."""

Identifier = Annotated[str, StringConstraints(min_length=1, max_length=256, pattern=r"^[!-~]+$")]
"""A non-empty id of printable ASCII, no spaces: job, tenant, cluster, profile, instance."""

EmrClusterId = Annotated[str, StringConstraints(pattern=r"^j-[0-9A-Za-z]{1,64}$")]
EmrStepId = Annotated[str, StringConstraints(pattern=r"^s-[0-9A-Za-z]{1,64}$")]
StackName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][-A-Za-z0-9]{0,127}$")]
"""A CloudFormation stack name, as CloudFormation restricts it."""

Name = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2048)]
"""A human-readable explanation, for operators and the audit log."""

Attempt = Annotated[int, Field(ge=1, le=1000)]
Count = Annotated[int, Field(ge=0)]
Slots = Annotated[int, Field(ge=1, le=1024)]
Seconds = Annotated[FiniteFloat, Field(ge=0)]

Priority = Literal["critical", "high", "normal", "low"]
ServiceName = Literal["job-service", "cluster-service", "monitor-service"]


class IntegrationEvent(BaseModel):
    """An event published on the bus: immutable, versioned, closed to unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    detail_type: ClassVar[str]
    """The EventBridge DetailType; equal to the class name."""
    source: ClassVar[str]
    """The EventBridge Source the event is published under."""

    event_id: EventId
    """Unique per event; consumers deduplicate on it, so a retried publish must reuse it."""
    occurred_at: AwareDatetime
    """When the fact happened, on the publisher's (possibly virtual) clock."""
    schema_version: Literal[1] = 1

    @property
    def bus_source(self) -> str:
        """The Source this instance is published under (fixed per class, except heartbeats)."""
        return self.source

    @classmethod
    def sources(cls) -> tuple[str, ...]:
        """Every Source an event of this class may carry."""
        return (cls.source,)


_EVENT_ID_NAMESPACE = uuid.UUID("6f1d3c2e-9a4b-5c7d-8e0f-112233445566")


def new_event_id() -> str:
    """A fresh random event id."""
    return str(uuid.uuid4())


def derived_event_id(*parts: str | int) -> str:
    """A stable id from e.g. (aggregate id, version): a re-translated event keeps its id."""
    return str(uuid.uuid5(_EVENT_ID_NAMESPACE, json.dumps(parts)))
