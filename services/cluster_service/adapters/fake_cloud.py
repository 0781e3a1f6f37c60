"""FakeProvisioner and FakeInspector: CloudFormation and EMR in memory, for tests and simulation.

The fake never moves by itself: `create_stack` leaves a stack CREATE_IN_PROGRESS and
`delete_stack` DELETE_IN_PROGRESS; the caller moves stacks and their EMR clusters on
(`set_status`, `set_emr_state`), as AWS would, and sends the matching events itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from cluster_service.application.ports import (
    ClusterInspector,
    EmrClusterInfo,
    Provisioner,
    ProvisionerError,
    StackInfo,
)

REGION_ACCOUNT = "us-east-1:123456789012"


@dataclass
class FakeStack:
    name: str
    stack_id: str
    status: str
    emr_cluster_id: str
    tags: dict[str, str]
    parameters: dict[str, str] = field(default_factory=dict)
    token: str = ""
    reason: str = ""
    emr_state: str = "STARTING"


class FakeProvisioner(Provisioner):
    """Stacks in a dict; `gone` keeps the deleted ones, `calls` every request, in order."""

    def __init__(self) -> None:
        self.stacks: dict[str, FakeStack] = {}
        self.gone: dict[str, FakeStack] = {}
        self.calls: list[tuple[str, str, str]] = []
        """(operation, stack name, token) of every create and delete."""
        self.failures = 0
        """How many of the next create/delete calls raise ProvisionerError."""
        self.inspector = FakeInspector(self)
        self._ids = itertools.count(1)

    def create_stack(
        self,
        stack_name: str,
        template: str,
        parameters: Sequence[Mapping[str, str]],
        client_request_token: str,
        tags: Mapping[str, str],
    ) -> None:
        self._call("create", stack_name, client_request_token)
        if stack_name in self.stacks:
            return  # AlreadyExistsException: the adapter counts it as success
        n = next(self._ids)
        self.stacks[stack_name] = FakeStack(
            name=stack_name,
            stack_id=f"arn:aws:cloudformation:{REGION_ACCOUNT}:stack/{stack_name}/{n:08d}",
            status="CREATE_IN_PROGRESS",
            emr_cluster_id=f"j-FAKE{n:08d}",
            tags=dict(tags),
            parameters={p["ParameterKey"]: p["ParameterValue"] for p in parameters},
            token=client_request_token,
        )

    def delete_stack(self, stack_name: str, client_request_token: str) -> None:
        self._call("delete", stack_name, client_request_token)
        stack = self.stacks.get(stack_name)
        if stack is not None and stack.status not in ("DELETE_IN_PROGRESS",):
            stack.status, stack.emr_state = "DELETE_IN_PROGRESS", "TERMINATING"

    def describe_stack(self, stack_name: str) -> StackInfo | None:
        stack = self.stacks.get(stack_name)
        return None if stack is None else _info(stack)

    def emr_cluster_id(self, stack_name: str) -> str | None:
        stack = self.stacks.get(stack_name)
        return None if stack is None else stack.emr_cluster_id

    def stacks_tagged(self, tag_key: str) -> list[StackInfo]:
        return [_info(s) for s in self.stacks.values() if tag_key in s.tags]

    # What tests and the simulator drive ---------------------------------------------------

    def set_status(self, stack_name: str, status: str, reason: str = "") -> FakeStack:
        """Move a stack on; DELETE_COMPLETE removes it (and terminates its EMR cluster)."""
        stack = self.stacks[stack_name]
        stack.status, stack.reason = status, reason
        if status == "DELETE_COMPLETE":
            stack.emr_state = "TERMINATED"
            self.gone[stack_name] = self.stacks.pop(stack_name)
        return stack

    def set_emr_state(self, stack_name: str, state: str) -> FakeStack:
        stack = self.stacks[stack_name]
        stack.emr_state = state
        return stack

    def add_stack(self, stack_name: str, tags: Mapping[str, str], status: str) -> FakeStack:
        """A stack made outside the control plane (an orphan, say)."""
        self.create_stack(stack_name, "", [], f"outside-{stack_name}", tags)
        self.calls.pop()
        return replace(self.set_status(stack_name, status))

    @property
    def created(self) -> list[str]:
        """Names of the stacks created, once each, in order."""
        return list(dict.fromkeys(name for op, name, _ in self.calls if op == "create"))

    def stack(self, stack_name: str) -> FakeStack:
        """A live or deleted stack."""
        return self.stacks.get(stack_name) or self.gone[stack_name]

    def _call(self, operation: str, stack_name: str, token: str) -> None:
        if self.failures:
            self.failures -= 1
            raise ProvisionerError(f"{operation} {stack_name}: injected failure")
        self.calls.append((operation, stack_name, token))


class FakeInspector(ClusterInspector):
    """EMR's view of the FakeProvisioner's stacks (tags as the template sets them)."""

    def __init__(self, cloud: FakeProvisioner) -> None:
        self._cloud = cloud

    def describe(self, emr_cluster_id: str) -> EmrClusterInfo | None:
        every = [*self._cloud.stacks.values(), *self._cloud.gone.values()]
        stack = next((s for s in every if s.emr_cluster_id == emr_cluster_id), None)
        if stack is None:
            return None
        return EmrClusterInfo(emr_cluster_id, stack.emr_state, stack.name, tags=dict(stack.tags))


def _info(stack: FakeStack) -> StackInfo:
    return StackInfo(
        name=stack.name,
        stack_id=stack.stack_id,
        status=stack.status,
        reason=stack.reason,
        tags=dict(stack.tags),
        outputs={"EmrClusterId": stack.emr_cluster_id} if stack.status == "CREATE_COMPLETE" else {},
    )
