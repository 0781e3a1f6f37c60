"""What an operator may send: strict pydantic models, checked before anything reaches the store.

Every request model forbids unknown fields and coerces nothing (a number is not a string). The
cluster profile's own rules (ClusterProfile.__post_init__) and the pool's (check_thresholds)
are checked by the domain; these models bound sizes and types.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from cluster_service.domain.profiles import MAX_APPLICATIONS, ClusterProfile

STRICT: Final = ConfigDict(extra="forbid", strict=True, use_attribute_docstrings=True)
MAX_COUNT: Final = 1_000_000_000
"""Upper bound of every whole number (what SSM thresholds take too: at most 9 digits)."""

ProfileName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,39}$")]
Word = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
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

    minimum: Count
    """Clusters kept running even with no work."""
    maximum: Annotated[int, Field(ge=1, le=MAX_COUNT)]
    """Clusters the pool never exceeds."""
    idle_ttl_seconds: Count
    """How long a cluster above MINIMUM may stay idle before it is decommissioned."""


class ChangeThresholds(BaseModel):
    """PUT /pools/{profile}: each limit left out stays as it is."""

    model_config = STRICT

    minimum: Count | None = None
    maximum: Annotated[int, Field(ge=1, le=MAX_COUNT)] | None = None
    idle_ttl_seconds: Count | None = None


class ProfileShape(BaseModel):
    """The EMR shape of a cluster profile: what PUT /cluster-profiles/{name} replaces."""

    model_config = STRICT

    release_label: Word
    """An EMR release, like emr-7.1.0."""
    applications: Annotated[list[Word], Field(min_length=1, max_length=MAX_APPLICATIONS)]
    """EMR applications, like Hadoop and Spark."""
    master_instance_type: Word
    core_instance_type: Word
    core_instance_count: Annotated[int, Field(ge=1, le=MAX_COUNT)]
    task_instance_type: Word | None = None
    task_instance_count: Count = 0
    step_concurrency: Annotated[int, Field(ge=1, le=MAX_COUNT)]
    """Slots per cluster: how many jobs run on one cluster at once."""
    idle_timeout_seconds: Annotated[int, Field(ge=0, le=MAX_COUNT)]
    """EMR's auto-termination after this much idleness (60 to 604800)."""

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
