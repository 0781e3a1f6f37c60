"""The cluster service's ports: what the application needs from AWS, implemented in `adapters/`.

- Provisioner: one CloudFormation stack per cluster, created and deleted idempotently. A create
  is retried with the same ClientRequestToken and the same stack name, so a retry never makes a
  second stack; a stack that already exists counts as created. A delete of a stack that is gone
  succeeds. `emr_cluster_id` reads EMR's j-... id of a stack's cluster while it is created.
- ClusterInspector: what EMR says of one cluster (DescribeCluster).
- ThresholdSource: pool limits kept outside the service (SSM Parameter Store). A reading is raw
  text per key (`minimum`, `maximum`, `idle-ttl-seconds`), with a version that changes whenever
  any of them changes: the application applies a version once, so a change made through the API
  stands until someone edits the source again. Parsing and validation are the application's
  (invalid values are logged and ignored).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

TAG_PREFIX: Final = "emr-control-plane:"
POOL_TAG: Final = TAG_PREFIX + "pool"
CLUSTER_ID_TAG: Final = TAG_PREFIX + "cluster-id"
EMR_CLUSTER_ID_OUTPUT: Final = "EmrClusterId"
THRESHOLD_KEYS: Final = ("minimum", "maximum", "idle-ttl-seconds")


class ProvisionerError(Exception):
    """CloudFormation refused or failed a request (other than the idempotent cases)."""


@dataclass(frozen=True, slots=True)
class StackInfo:
    """What DescribeStacks says of one stack."""

    name: str
    stack_id: str
    status: str
    reason: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    outputs: Mapping[str, str] = field(default_factory=dict)

    @property
    def emr_cluster_id(self) -> str | None:
        return self.outputs.get(EMR_CLUSTER_ID_OUTPUT) or None


class Provisioner(ABC):
    """Creates, deletes and describes the stacks of clusters."""

    @abstractmethod
    def create_stack(
        self,
        stack_name: str,
        template: str,
        parameters: Sequence[Mapping[str, str]],
        client_request_token: str,
        tags: Mapping[str, str],
    ) -> None:
        """Start creating the stack; a stack of that name that exists already is success."""

    @abstractmethod
    def delete_stack(self, stack_name: str, client_request_token: str) -> None:
        """Start deleting the stack; a stack that is gone is success."""

    @abstractmethod
    def describe_stack(self, stack_name: str) -> StackInfo | None:
        """The stack, or None when no live stack has that name (never created, or deleted)."""

    @abstractmethod
    def emr_cluster_id(self, stack_name: str) -> str | None:
        """EMR's id of the stack's cluster, once CloudFormation has created it."""

    @abstractmethod
    def stacks_tagged(self, tag_key: str) -> list[StackInfo]:
        """Every live stack that carries the tag key (orphan detection, reconciliation)."""


@dataclass(frozen=True, slots=True)
class EmrClusterInfo:
    """One EMR cluster as DescribeCluster reports it."""

    emr_cluster_id: str
    state: str
    name: str = ""
    reason: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)


class ClusterInspector(ABC):
    """Reads EMR clusters, for events that never came and for clusters we cannot place."""

    @abstractmethod
    def describe(self, emr_cluster_id: str) -> EmrClusterInfo | None:
        """The cluster, or None when EMR does not know the id."""


@dataclass(frozen=True, slots=True)
class ThresholdReading:
    """What the source holds for one profile; keys it lacks are left as they are."""

    values: Mapping[str, str]
    version: str


class ThresholdSource(ABC):
    """Reads every profile's pool limits in one go."""

    @abstractmethod
    def read(self) -> dict[str, ThresholdReading]:
        """Profile name → its reading; profiles the source says nothing about are absent."""
