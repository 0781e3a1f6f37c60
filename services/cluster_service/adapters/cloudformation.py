"""CloudFormationProvisioner: the Provisioner on a boto3 CloudFormation client.

Idempotency: CreateStack carries the cluster's ClientRequestToken and its one stack name, so a
retried create (a crash between the save and the call, a redelivered event, the tick's repair)
either repeats the same request or meets the stack it made: AlreadyExistsException and
TokenAlreadyExistsException are success. DeleteStack is idempotent in CloudFormation itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from botocore.exceptions import ClientError

from cluster_service.application.ports import Provisioner, ProvisionerError, StackInfo

_EXISTS: Final = frozenset({"AlreadyExistsException", "TokenAlreadyExistsException"})
EMR_CLUSTER_RESOURCE: Final = "Cluster"
"""The logical id of the AWS::EMR::Cluster in templates/emr-cluster.yaml."""


class CloudFormationProvisioner(Provisioner):
    """Stacks through CloudFormation (`cfn_client` is boto3's "cloudformation" client)."""

    def __init__(self, cfn_client: Any) -> None:
        self._cfn = cfn_client

    def create_stack(
        self,
        stack_name: str,
        template: str,
        parameters: Sequence[Mapping[str, str]],
        client_request_token: str,
        tags: Mapping[str, str],
    ) -> None:
        try:
            self._cfn.create_stack(
                StackName=stack_name,
                TemplateBody=template,
                Parameters=[dict(p) for p in parameters],
                ClientRequestToken=client_request_token,
                Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
                OnFailure="ROLLBACK",  # the stack stays, ROLLBACK_COMPLETE, until we delete it
            )
        except ClientError as error:
            if _code(error) not in _EXISTS:
                raise ProvisionerError(f"CreateStack {stack_name}: {error}") from error

    def delete_stack(self, stack_name: str, client_request_token: str) -> None:
        try:
            self._cfn.delete_stack(StackName=stack_name, ClientRequestToken=client_request_token)
        except ClientError as error:
            if _code(error) != "TokenAlreadyExistsException":
                raise ProvisionerError(f"DeleteStack {stack_name}: {error}") from error

    def describe_stack(self, stack_name: str) -> StackInfo | None:
        try:
            stacks = self._cfn.describe_stacks(StackName=stack_name)["Stacks"]
        except ClientError as error:
            if _missing(error):
                return None
            raise ProvisionerError(f"DescribeStacks {stack_name}: {error}") from error
        return _stack_info(stacks[0]) if stacks else None

    def emr_cluster_id(self, stack_name: str) -> str | None:
        """From the stack's outputs once complete, else from DescribeStackResources."""
        stack = self.describe_stack(stack_name)
        if stack is None:
            return None
        if stack.emr_cluster_id:
            return stack.emr_cluster_id
        try:
            found = self._cfn.describe_stack_resources(
                StackName=stack_name, LogicalResourceId=EMR_CLUSTER_RESOURCE
            )["StackResources"]
        except ClientError as error:
            if _missing(error):
                return None
            raise ProvisionerError(f"DescribeStackResources {stack_name}: {error}") from error
        physical = next((r.get("PhysicalResourceId") for r in found), None)
        return physical if physical and physical.startswith("j-") else None

    def stacks_tagged(self, tag_key: str) -> list[StackInfo]:
        return [
            _stack_info(stack)
            for stack in self._all_stacks()
            if any(tag["Key"] == tag_key for tag in stack.get("Tags", ()))
        ]

    def _all_stacks(self) -> Iterator[dict[str, Any]]:
        for page in self._cfn.get_paginator("describe_stacks").paginate():
            yield from page.get("Stacks", ())


def _stack_info(stack: Mapping[str, Any]) -> StackInfo:
    return StackInfo(
        name=stack["StackName"],
        stack_id=stack["StackId"],
        status=stack["StackStatus"],
        reason=stack.get("StackStatusReason") or "",
        tags={tag["Key"]: tag["Value"] for tag in stack.get("Tags", ())},
        outputs={o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", ())},
    )


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _missing(error: ClientError) -> bool:
    """DescribeStacks by name answers ValidationError '... does not exist' for a gone stack."""
    message = str(error.response.get("Error", {}).get("Message", ""))
    return _code(error) == "ValidationError" and "does not exist" in message
