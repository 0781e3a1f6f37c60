"""What an operator may send: strict pydantic models, checked before anything reaches the store.

Every request model forbids unknown fields and coerces nothing (a number is not a string). The
cluster profile's own rules (ClusterProfile.__post_init__) and the pool's (check_thresholds)
are checked by the domain; these models bound sizes and types.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from cluster_service.domain.pool import MAX_IDLE_TTL_SECONDS, MAX_POOL_CLUSTERS
from cluster_service.domain.profiles import (
    APPLICATION_PATTERN,
    IDLE_TIMEOUT_RANGE,
    INSTANCE_TYPE_PATTERN,
    MAX_APPLICATIONS,
    MAX_INSTANCE_COUNT,
    MAX_STEP_CONCURRENCY,
    PROFILE_NAME_PATTERN,
    RELEASE_LABEL_PATTERN,
    ClusterProfile,
)
from cluster_service.domain.schedule import HOURS_OF_WEEK

STRICT: Final = ConfigDict(extra="forbid", strict=True, use_attribute_docstrings=True)

ProfileName = Annotated[str, StringConstraints(pattern=PROFILE_NAME_PATTERN)]
ReleaseLabel = Annotated[str, StringConstraints(max_length=64, pattern=RELEASE_LABEL_PATTERN)]
Application = Annotated[str, StringConstraints(pattern=APPLICATION_PATTERN)]
InstanceType = Annotated[str, StringConstraints(max_length=64, pattern=INSTANCE_TYPE_PATTERN)]
Clusters = Annotated[int, Field(ge=0, le=MAX_POOL_CLUSTERS)]
"""A number of clusters: MINIMUM, MAXIMUM, a schedule's value."""
IdleTtl = Annotated[int, Field(ge=0, le=MAX_IDLE_TTL_SECONDS)]
ClusterStateName = Literal[  # ClusterState's values (a test checks)
    "REQUESTED",
    "PROVISIONING",
    "STARTING",
    "BOOTSTRAPPING",
    "READY",
    "BUSY",
    "DECOMMISSIONING",
    "TERMINATED",
    "FAILED",
]


class PoolLimits(BaseModel):
    """A pool's thresholds when its profile is registered."""

    model_config = STRICT

    minimum: Clusters
    """Clusters kept running even with no work."""
    maximum: Clusters
    """Clusters the pool never exceeds; 0 (with minimum 0) starts none: the pool is drained."""
    idle_ttl_seconds: IdleTtl
    """How long a cluster above MINIMUM may stay idle before it is decommissioned."""


class ChangeThresholds(BaseModel):
    """PUT /pools/{profile}: each limit left out stays as it is."""

    model_config = STRICT

    minimum: Clusters | None = None
    maximum: Clusters | None = None
    """0 (with minimum 0) drains the pool: clusters finish their steps, none is started."""
    idle_ttl_seconds: IdleTtl | None = None


_WEEK: Final = {"minItems": HOURS_OF_WEEK, "maxItems": HOURS_OF_WEEK}
"""What the document states of a schedule's list (the domain says how many a shorter one has)."""

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYS: Final[tuple[Day, ...]] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ScheduleRule(BaseModel):
    """A MINIMUM for some hours of some days, in the schedule's zone."""

    model_config = STRICT

    days: Annotated[list[Day], Field(min_length=1, max_length=7)]
    from_hour: Annotated[int, Field(ge=0, le=23)]
    """First local hour covered (0 = midnight)."""
    to_hour: Annotated[int, Field(ge=1, le=24)]
    """The hour the rule ends (exclusive; 24 = midnight at the day's end)."""
    minimum: Clusters

    @model_validator(mode="after")
    def _hours_in_order(self) -> Self:
        if self.to_hour <= self.from_hour:
            raise ValueError(f"to_hour {self.to_hour} must be after from_hour {self.from_hour}")
        return self


_ONE_FORM: Final[dict[str, Any]] = {
    "oneOf": [
        {"required": ["minimum"], "properties": {"minimum": {"type": "array"}}},
        {"required": ["rules"], "properties": {"rules": {"type": "array"}}},
    ]
}
"""A schedule is `minimum` or `rules`, exactly one of them (the other left out or null)."""


class SetSchedule(BaseModel):
    """PUT /pools/{profile}/schedule: a MINIMUM per hour of the week in an IANA time zone, as
    168 values (`minimum`, Monday 00:00 first, what the simulator's planner gives) or as rules
    (`rules` over `default_minimum`; a later rule wins where two cover the same hour)."""

    model_config = ConfigDict(**STRICT, json_schema_extra=_ONE_FORM)

    time_zone: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    """An IANA time zone, like Europe/Stockholm or UTC; the hours are its local hours."""
    minimum: (
        Annotated[list[Clusters], Field(max_length=10 * HOURS_OF_WEEK, json_schema_extra=_WEEK)]
        | None
    ) = None
    """168 values, Monday 00:00-01:00 first, each between 0 and the pool's maximum."""
    rules: Annotated[list[ScheduleRule], Field(min_length=1, max_length=HOURS_OF_WEEK)] | None = (
        None
    )
    default_minimum: Clusters = 0
    """With `rules`: the MINIMUM of hours no rule covers."""

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        if (self.minimum is None) == (self.rules is None):
            raise ValueError("send either minimum (168 values) or rules, not both nor neither")
        return self

    def hours(self) -> list[int]:
        """The schedule as 168 values, Monday 00:00 first."""
        if self.minimum is not None:
            return list(self.minimum)
        hours = [self.default_minimum] * HOURS_OF_WEEK
        for rule in self.rules or ():
            for day in rule.days:
                start = DAYS.index(day) * 24
                for hour in range(start + rule.from_hour, start + rule.to_hour):
                    hours[hour] = rule.minimum
        return hours


class ProfileShape(BaseModel):
    """The EMR shape of a cluster profile: what PUT /cluster-profiles/{name} replaces."""

    model_config = STRICT

    release_label: ReleaseLabel
    """An EMR release, like emr-7.1.0."""
    applications: Annotated[
        list[Application],
        Field(min_length=1, max_length=MAX_APPLICATIONS, json_schema_extra={"uniqueItems": True}),
    ]
    """EMR applications, like Hadoop and Spark, each once."""
    master_instance_type: InstanceType
    """An EC2 instance type, like m5.xlarge."""
    core_instance_type: InstanceType
    core_instance_count: Annotated[int, Field(ge=1, le=MAX_INSTANCE_COUNT)]
    task_instance_type: InstanceType | None = None
    """Required when task_instance_count is above 0."""
    task_instance_count: Annotated[int, Field(ge=0, le=MAX_INSTANCE_COUNT)] = 0
    step_concurrency: Annotated[int, Field(ge=1, le=MAX_STEP_CONCURRENCY)]
    """Slots per cluster: how many jobs run on one cluster at once (EMR's limit: 256)."""
    idle_timeout_seconds: Annotated[
        int, Field(ge=IDLE_TIMEOUT_RANGE.start, le=IDLE_TIMEOUT_RANGE.stop - 1)
    ]
    """EMR's auto-termination after this much idleness (60 s to 7 days)."""

    def profile_named(self, name: str) -> ClusterProfile:
        """The domain's profile (InvalidClusterProfile names the field it refuses)."""
        return ClusterProfile(
            name=name,
            release_label=self.release_label,
            applications=tuple(self.applications),
            master_instance_type=self.master_instance_type,
            core_instance_type=self.core_instance_type,
            core_instance_count=self.core_instance_count,
            step_concurrency=self.step_concurrency,
            idle_timeout_seconds=self.idle_timeout_seconds,
            task_instance_type=self.task_instance_type,
            task_instance_count=self.task_instance_count,
        )


class CreateProfile(ProfileShape):
    """POST /cluster-profiles: a new cluster profile and its pool."""

    name: ProfileName
    """Lower-case letters, digits and '-', starting with a letter (it names stacks and tags)."""
    pool: PoolLimits

    def profile(self) -> ClusterProfile:
        return self.profile_named(self.name)


class ClusterListQuery(BaseModel):
    """GET /clusters: both filters optional."""

    model_config = STRICT

    profile: ProfileName | None = None
    """Only this profile's clusters."""
    state: ClusterStateName | None = None
    """Only clusters in this state."""
