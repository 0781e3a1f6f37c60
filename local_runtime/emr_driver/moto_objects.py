"""What the driver changes inside moto's backends (same process): EMR clusters, steps, stacks.

An adopted cluster's (and step's) class is swapped for a subclass below, so that AddJobFlowSteps
leaves new steps PENDING and the cluster's state alone, TerminateJobFlows (and a stack's deletion)
only asks for termination, and DescribeCluster/DescribeStep report a StateChangeReason code.
The subclasses keep moto's class names: moto's serializer derives aliases (ClusterArn → arn)
from the class name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from moto.cloudformation.models import cloudformation_backends
from moto.cloudformation.parsing import clean_json
from moto.emr import models as emr_models
from moto.emr.models import emr_backends

DEFAULT_ACCOUNT = "123456789012"
EMR_CLUSTER_TYPE = "AWS::EMR::Cluster"


class Cluster(emr_models.Cluster):
    """moto's EMR cluster, moved by the local driver instead of by its own methods."""

    driver_reason: dict[str, str]
    terminate_requested: bool

    @property
    def status(self) -> dict[str, Any]:
        """moto's status with the driver's StateChangeReason (Code and Message)."""
        status: dict[str, Any] = emr_models.Cluster.status.fget(self)  # type: ignore[attr-defined]
        status["StateChangeReason"] = dict(self.driver_reason)
        return status

    def add_steps(self, steps: list[dict[str, Any]]) -> list[emr_models.Step]:
        """Add steps PENDING; the driver starts them."""
        added: list[emr_models.Step] = []
        for spec in steps:
            step = emr_models.Step(state="PENDING", **spec)
            adopt_step(step)
            added.append(step)
        self.steps = [*self.steps, *added]
        return added

    def terminate(self) -> None:
        """Ask the driver to terminate (TerminateJobFlows, a stack's deletion)."""
        self.terminate_requested = True
        if self.state not in ("TERMINATED", "TERMINATED_WITH_ERRORS"):
            self.state = "TERMINATING"


class Step(emr_models.Step):
    """moto's EMR step with the driver's StateChangeReason and FailureDetails."""

    driver_reason: dict[str, str]
    failure_details: dict[str, str] | None

    @property
    def status(self) -> dict[str, Any]:
        """moto's step status with the driver's reason and, once failed, FailureDetails."""
        status: dict[str, Any] = emr_models.Step.status.fget(self)  # type: ignore[attr-defined]
        status["StateChangeReason"] = dict(self.driver_reason)
        if self.failure_details:
            status["FailureDetails"] = dict(self.failure_details)
        return status


def emr_backend(account: str, region: str) -> Any:
    """moto's EMR backend of this process."""
    return emr_backends[account][region]


def cfn_backend(account: str, region: str) -> Any:
    """moto's CloudFormation backend of this process."""
    return cloudformation_backends[account][region]


def adopt_cluster(cluster: Any) -> Cluster:
    """Swap in the driven subclass (and for its steps); idempotent."""
    if not isinstance(cluster, Cluster):
        cluster.__class__ = Cluster
        cluster.driver_reason = {}
        cluster.terminate_requested = False
    for step in cluster.steps:
        adopt_step(step)
    return cluster  # type: ignore[no-any-return]


def adopt_step(step: Any) -> Step:
    """Swap in the driven step subclass; idempotent."""
    if not isinstance(step, Step):
        step.__class__ = Step
        step.driver_reason = {}
        step.failure_details = None
    return step  # type: ignore[no-any-return]


def set_cluster_state(
    cluster: Cluster, state: str, reason: tuple[str, str | None], when: datetime
) -> None:
    """What DescribeCluster reports: state, reason, and the timeline's times."""
    cluster.state = state
    code, message = reason
    cluster.driver_reason = {
        key: value for key, value in (("Code", code), ("Message", message)) if value
    }
    if state in ("WAITING", "RUNNING") and cluster.ready_datetime is None:
        cluster.ready_datetime = when
    if state in ("TERMINATED", "TERMINATED_WITH_ERRORS"):
        cluster.end_datetime = when


def set_step_state(step: Any, state: str, when: datetime, failure: str | None = None) -> None:
    """What DescribeStep reports: state, start and end times, FailureDetails."""
    step.state = state
    if state == "RUNNING":
        step.start_date_time = when
    if state in ("COMPLETED", "FAILED", "CANCELLED", "INTERRUPTED"):
        step.end_date_time = when
    if failure is not None:
        step.driver_reason = {"Message": failure}
        step.failure_details = {"Reason": failure, "Message": failure}


def stack_clusters(stack: Any) -> list[tuple[str, Any, dict[str, Any]]]:
    """(logical id, moto cluster, resolved properties) of each AWS::EMR::Cluster of a stack."""
    resource_map = stack.resource_map
    found = []
    for logical_id, spec in resource_map._resource_json_map.items():
        cluster = resource_map._parsed_resources.get(logical_id)
        if spec.get("Type") == EMR_CLUSTER_TYPE and isinstance(cluster, emr_models.Cluster):
            found.append((logical_id, cluster, _resolved(spec, resource_map)))
    return found


def _resolved(spec: dict[str, Any], resource_map: Any) -> dict[str, Any]:
    """A resource's Properties with Ref, Sub, If ... resolved (raw if moto cannot)."""
    properties = spec.get("Properties", {})
    try:
        resolved = clean_json(properties, resource_map)
    except Exception:
        return dict(properties)
    return resolved if isinstance(resolved, dict) else dict(properties)


def apply_stack_properties(
    cluster: Cluster, stack: Any, logical_id: str, properties: dict[str, Any]
) -> None:
    """Give a stack's cluster what moto's AWS::EMR::Cluster drops: tags, slots, keep-alive."""
    cluster._tags = {
        **cluster._tags,
        "aws:cloudformation:stack-name": stack.name,
        "aws:cloudformation:stack-id": stack.stack_id,
        "aws:cloudformation:logical-id": logical_id,
    }
    instances = properties.get("Instances", {})
    cluster.step_concurrency_level = int(properties.get("StepConcurrencyLevel", 1))
    cluster.keep_job_flow_alive_when_no_steps = _flag(instances, "KeepJobFlowAliveWhenNoSteps")
    cluster.termination_protected = _flag(instances, "TerminationProtected", default=False)
    cluster.ready_datetime = None
    cluster.end_datetime = None


def idle_timeout(properties: dict[str, Any]) -> float | None:
    """AutoTerminationPolicy.IdleTimeout in seconds, None without a policy."""
    timeout = properties.get("AutoTerminationPolicy", {}).get("IdleTimeout")
    return float(timeout) if timeout is not None else None


def _flag(values: dict[str, Any], key: str, default: bool = True) -> bool:
    """A CloudFormation boolean ('true', True, ...); CloudFormation keeps clusters alive."""
    value = values.get(key, default)
    return value if isinstance(value, bool) else str(value).lower() == "true"


def set_stack_status(stack: Any, status: str, reason: str = "") -> None:
    """What DescribeStacks and DescribeStackEvents report for the stack itself."""
    stack.status = status
    stack.status_reason = reason or None
    stack._add_stack_event(status, resource_status_reason=reason or None)


def drop_stack_events(stack: Any, statuses: set[str]) -> None:
    """Forget moto's own, premature stack-level events (e.g. its instant CREATE_COMPLETE)."""
    stack.events = [
        event
        for event in stack.events
        if event.physical_resource_id != stack.stack_id or event.resource_status not in statuses
    ]


def keep_listed(backend: Any, stack: Any) -> None:
    """Keep a deleting stack where DescribeStacks by name finds it (moto retires it at once)."""
    if stack.stack_id in backend.deleted_stacks:
        backend.deleted_stacks = {
            key: value for key, value in backend.deleted_stacks.items() if value is not stack
        }
    if backend.stacks.get(stack.stack_id) is not stack:
        backend.stacks = {**backend.stacks, stack.stack_id: stack}


def retire(backend: Any, stack: Any) -> None:
    """Move a deleted stack to moto's deleted stacks (found by id only, as in AWS)."""
    backend.stacks = {key: value for key, value in backend.stacks.items() if value is not stack}
    backend.deleted_stacks = {**backend.deleted_stacks, stack.stack_id: stack}
