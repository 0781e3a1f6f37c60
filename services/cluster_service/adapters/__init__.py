"""The adapters that implement the cluster service's ports (see `application.ports`).

Ports: Provisioner (stacks), ClusterInspector (EMR clusters), ThresholdSource (pool limits).
Adapters, named for what they wrap: CloudFormationProvisioner, EmrInspector, SsmThresholds; and
FakeProvisioner (with its FakeInspector) and FakeThresholds for tests and simulation.
"""

from cluster_service.adapters.cloudformation import CloudFormationProvisioner
from cluster_service.adapters.emr import EmrInspector
from cluster_service.adapters.fake_cloud import FakeInspector, FakeProvisioner, FakeStack
from cluster_service.adapters.ssm import SsmThresholds
from cluster_service.adapters.thresholds import FakeThresholds
from cluster_service.application.ports import (
    CLUSTER_ID_TAG,
    POOL_TAG,
    TAG_PREFIX,
    ClusterInspector,
    EmrClusterInfo,
    Provisioner,
    ProvisionerError,
    StackInfo,
    ThresholdReading,
    ThresholdSource,
)

__all__ = [
    "CLUSTER_ID_TAG",
    "POOL_TAG",
    "TAG_PREFIX",
    "CloudFormationProvisioner",
    "ClusterInspector",
    "EmrClusterInfo",
    "EmrInspector",
    "FakeInspector",
    "FakeProvisioner",
    "FakeStack",
    "FakeThresholds",
    "Provisioner",
    "ProvisionerError",
    "SsmThresholds",
    "StackInfo",
    "ThresholdReading",
    "ThresholdSource",
]
