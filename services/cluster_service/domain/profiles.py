"""Cluster profiles: the shape of an EMR cluster, and the parameters of its CloudFormation stack."""

import re
from dataclasses import dataclass, field
from typing import Final
from uuid import UUID

from cluster_service.domain.errors import InvalidClusterProfile

TEMPLATE_FILE: Final = "emr-cluster.yaml"
"""The one parameterized stack template, in services/cluster_service/templates/."""
MAX_APPLICATIONS: Final = 8
"""How many application slots the template unrolls (CloudFormation has no list-of-maps map)."""
MAX_STEP_CONCURRENCY: Final = 256
"""EMR's limit on StepConcurrencyLevel."""
IDLE_TIMEOUT_RANGE: Final = range(60, 604_800 + 1)
"""EMR AutoTerminationPolicy.IdleTimeout bounds, seconds."""
MAX_INSTANCE_COUNT: Final = 1000
"""Instances of one group (core or task) of a cluster: far above any pool's need, and a bound
on what a stack asks EC2 for."""

PROFILE_NAME_PATTERN: Final = r"^[a-z][a-z0-9-]{0,39}$"
RELEASE_LABEL_PATTERN: Final = r"^emr-\d+\.\d+\.\d+$"
APPLICATION_PATTERN: Final = r"^[A-Za-z][A-Za-z0-9-]{0,63}$"
INSTANCE_TYPE_PATTERN: Final = r"^[a-z][a-z0-9-]*\.[a-z0-9]+$"
"""What each text field must match (the API's document states the same patterns)."""
_PROFILE_NAME = re.compile(PROFILE_NAME_PATTERN)
_RELEASE_LABEL = re.compile(RELEASE_LABEL_PATTERN)
_APPLICATION = re.compile(APPLICATION_PATTERN)
_INSTANCE_TYPE = re.compile(INSTANCE_TYPE_PATTERN)


def check_profile_name(name: str) -> str:
    """A profile name goes into stack names and tags: lower-case letters, digits and '-'."""
    if not _PROFILE_NAME.match(name):
        raise InvalidClusterProfile("name", f"{name!r} must match {_PROFILE_NAME.pattern}")
    return name


def _check(ok: bool, field_name: str, message: str) -> None:
    if not ok:
        raise InvalidClusterProfile(field_name, message)


@dataclass(frozen=True, slots=True)
class ClusterProfile:
    """What one kind of EMR cluster looks like; every cluster of a pool is made from its profile."""

    name: str
    release_label: str
    applications: tuple[str, ...]
    master_instance_type: str
    core_instance_type: str
    core_instance_count: int
    step_concurrency: int
    """Slots per cluster: how many jobs (EMR steps) run on it at once."""
    idle_timeout_seconds: int
    """EMR AutoTerminationPolicy: the safety net if the control plane never deletes the stack."""
    task_instance_type: str | None = None
    task_instance_count: int = 0
    extra_parameters: tuple[tuple[str, str], ...] = field(default=())
    """Overrides of the template's defaulted parameters (SubnetId, LogUri, roles)."""

    def __post_init__(self) -> None:
        check_profile_name(self.name)
        _check(bool(_RELEASE_LABEL.match(self.release_label)), "release_label", "like emr-7.1.0")
        self._check_applications()
        self._check_instances()
        _check(
            1 <= self.step_concurrency <= MAX_STEP_CONCURRENCY,
            "step_concurrency",
            f"between 1 and {MAX_STEP_CONCURRENCY}",
        )
        _check(
            self.idle_timeout_seconds in IDLE_TIMEOUT_RANGE,
            "idle_timeout_seconds",
            "between 60 and 604800 (7 days)",
        )

    def _check_applications(self) -> None:
        apps = self.applications
        _check(1 <= len(apps) <= MAX_APPLICATIONS, "applications", f"1 to {MAX_APPLICATIONS} names")
        _check(len(set(apps)) == len(apps), "applications", "no repeats")
        for app in apps:
            _check(bool(_APPLICATION.match(app)), "applications", f"{app!r} is not a name")

    def _check_instances(self) -> None:
        for name in ("master_instance_type", "core_instance_type"):
            _check(bool(_INSTANCE_TYPE.match(getattr(self, name))), name, "like m5.xlarge")
        limit = MAX_INSTANCE_COUNT
        _check(
            1 <= self.core_instance_count <= limit, "core_instance_count", f"between 1 and {limit}"
        )
        _check(
            0 <= self.task_instance_count <= limit, "task_instance_count", f"between 0 and {limit}"
        )
        if self.task_instance_count:
            task_type = self.task_instance_type or ""
            _check(bool(_INSTANCE_TYPE.match(task_type)), "task_instance_type", "like m5.xlarge")

    @property
    def slots(self) -> int:
        return self.step_concurrency

    def stack_parameters(self, cluster_id: UUID | str) -> list[dict[str, str]]:
        """CreateStack Parameters for one cluster of this profile (values are strings)."""
        values = {
            "ClusterId": str(cluster_id),
            "PoolProfile": self.name,
            "ReleaseLabel": self.release_label,
            "Applications": ",".join(self.applications),
            "MasterInstanceType": self.master_instance_type,
            "CoreInstanceType": self.core_instance_type,
            "CoreInstanceCount": str(self.core_instance_count),
            "StepConcurrencyLevel": str(self.step_concurrency),
            "IdleTimeoutSeconds": str(self.idle_timeout_seconds),
        }
        if self.task_instance_count:
            values["TaskInstanceType"] = self.task_instance_type or ""
            values["TaskInstanceCount"] = str(self.task_instance_count)
        values.update(self.extra_parameters)
        return [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()]


_RELEASE: Final = "emr-7.1.0"

SEED_PROFILES: Final = {
    p.name: p
    for p in (
        ClusterProfile(
            name="small",
            release_label=_RELEASE,
            applications=("Hadoop", "Spark"),
            master_instance_type="m5.xlarge",
            core_instance_type="m5.xlarge",
            core_instance_count=2,
            step_concurrency=2,
            idle_timeout_seconds=3_600,
        ),
        ClusterProfile(
            name="medium",
            release_label=_RELEASE,
            applications=("Hadoop", "Spark", "Hive"),
            master_instance_type="m5.2xlarge",
            core_instance_type="m5.2xlarge",
            core_instance_count=4,
            step_concurrency=4,
            idle_timeout_seconds=3_600,
        ),
        ClusterProfile(
            name="large",
            release_label=_RELEASE,
            applications=("Hadoop", "Spark", "Livy"),
            master_instance_type="m5.2xlarge",
            core_instance_type="r5.4xlarge",
            core_instance_count=4,
            task_instance_type="r5.4xlarge",
            task_instance_count=4,
            step_concurrency=2,
            idle_timeout_seconds=7_200,
        ),
    )
}
"""small for scoring, medium for predicting, large (memory-heavy, task nodes) for training."""
