"""The EventBridge envelope and the AWS events (aws.emr, aws.cloudformation) the services consume.

These are open models: AWS adds fields, so unknown keys are kept, never rejected.
Shapes checked against `reference/aws-events/`; enums from botocore 1.44.5 (`reference/emr-api/`).
"""

import json
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from events.schemas.errors import UnknownEventType

EMR_SOURCE = "aws.emr"
CLOUDFORMATION_SOURCE = "aws.cloudformation"

EmrClusterState = Literal[
    "STARTING",
    "BOOTSTRAPPING",
    "RUNNING",
    "WAITING",
    "TERMINATING",
    "TERMINATED",
    "TERMINATED_WITH_ERRORS",
]
EmrStepState = Literal[
    "PENDING", "CANCEL_PENDING", "RUNNING", "COMPLETED", "CANCELLED", "FAILED", "INTERRUPTED"
]
EmrActionOnFailure = Literal[
    "TERMINATE_JOB_FLOW", "TERMINATE_CLUSTER", "CANCEL_AND_WAIT", "CONTINUE"
]
EmrInstanceGroupState = Literal[
    "PROVISIONING",
    "BOOTSTRAPPING",
    "RUNNING",
    "RECONFIGURING",
    "RESIZING",
    "SUSPENDED",
    "TERMINATING",
    "TERMINATED",
    "ARRESTED",
    "SHUTTING_DOWN",
    "ENDED",
]
EmrInstanceRoleType = Literal["MASTER", "CORE", "TASK"]
EmrAutoScalingPolicyState = Literal[
    "PENDING", "ATTACHING", "ATTACHED", "DETACHING", "DETACHED", "FAILED"
]
StackStatus = Literal[
    "CREATE_IN_PROGRESS",
    "CREATE_FAILED",
    "CREATE_COMPLETE",
    "ROLLBACK_IN_PROGRESS",
    "ROLLBACK_FAILED",
    "ROLLBACK_COMPLETE",
    "DELETE_IN_PROGRESS",
    "DELETE_FAILED",
    "DELETE_COMPLETE",
    "UPDATE_IN_PROGRESS",
    "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
    "UPDATE_COMPLETE",
    "UPDATE_FAILED",
    "UPDATE_ROLLBACK_IN_PROGRESS",
    "UPDATE_ROLLBACK_FAILED",
    "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
    "UPDATE_ROLLBACK_COMPLETE",
    "REVIEW_IN_PROGRESS",
    "IMPORT_IN_PROGRESS",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_IN_PROGRESS",
    "IMPORT_ROLLBACK_FAILED",
    "IMPORT_ROLLBACK_COMPLETE",
]
ResourceStatus = Literal[
    "CREATE_IN_PROGRESS",
    "CREATE_FAILED",
    "CREATE_COMPLETE",
    "DELETE_IN_PROGRESS",
    "DELETE_FAILED",
    "DELETE_COMPLETE",
    "DELETE_SKIPPED",
    "UPDATE_IN_PROGRESS",
    "UPDATE_FAILED",
    "UPDATE_COMPLETE",
    "IMPORT_FAILED",
    "IMPORT_COMPLETE",
    "IMPORT_IN_PROGRESS",
    "IMPORT_ROLLBACK_IN_PROGRESS",
    "IMPORT_ROLLBACK_FAILED",
    "IMPORT_ROLLBACK_COMPLETE",
    "EXPORT_FAILED",
    "EXPORT_COMPLETE",
    "EXPORT_IN_PROGRESS",
    "EXPORT_ROLLBACK_IN_PROGRESS",
    "EXPORT_ROLLBACK_FAILED",
    "EXPORT_ROLLBACK_COMPLETE",
    "UPDATE_ROLLBACK_IN_PROGRESS",
    "UPDATE_ROLLBACK_COMPLETE",
    "UPDATE_ROLLBACK_FAILED",
    "ROLLBACK_IN_PROGRESS",
    "ROLLBACK_COMPLETE",
    "ROLLBACK_FAILED",
]

_OPEN = ConfigDict(
    frozen=True,
    extra="allow",
    validate_by_name=True,
    validate_by_alias=True,
    serialize_by_alias=True,
    coerce_numbers_to_str=True,
)


def _json_object(value: object) -> object:
    """Decode a JSON-encoded stateChangeReason; '' is {}, other non-JSON text is the message."""
    if not isinstance(value, str | bytes):
        return value
    if not value.strip():
        return {}
    try:
        decoded = json.loads(value)
    except ValueError:
        return {"message": value}
    return decoded if isinstance(decoded, dict) else {"message": value}


StateChangeReason = Annotated[dict[str, Any], BeforeValidator(_json_object)]


class EventBridgeEnvelope(BaseModel):
    """An event as EventBridge delivers it to a target such as SQS."""

    model_config = _OPEN

    version: str
    id: str
    detail_type: str = Field(alias="detail-type")
    source: str
    account: str | None = None
    """AWS always sends it; moto's EventBridge omits it."""
    time: AwareDatetime
    region: str
    resources: tuple[str, ...] = ()
    detail: dict[str, Any]
    replay_name: str | None = Field(default=None, alias="replay-name")
    """Set only on events replayed from an archive."""


class AwsDetail(BaseModel):
    """The `detail` of an AWS service event."""

    model_config = _OPEN

    detail_type: ClassVar[str]
    source: ClassVar[str]


class EmrClusterStateChange(AwsDetail):
    """An EMR cluster moved to a new state."""

    detail_type: ClassVar[str] = "EMR Cluster State Change"
    source: ClassVar[str] = EMR_SOURCE

    cluster_id: str = Field(alias="clusterId")
    state: EmrClusterState
    name: str | None = None
    message: str | None = None
    severity: str | None = None
    state_change_reason: StateChangeReason = Field(default_factory=dict, alias="stateChangeReason")

    @property
    def reason_code(self) -> str | None:
        """The reason's code (e.g. USER_REQUEST, BOOTSTRAP_FAILURE), None when blank."""
        code = self.state_change_reason.get("code")
        return str(code) if code else None


class EmrStepStatusChange(AwsDetail):
    """An EMR step moved to a new state."""

    detail_type: ClassVar[str] = "EMR Step Status Change"
    source: ClassVar[str] = EMR_SOURCE

    cluster_id: str = Field(alias="clusterId")
    step_id: str = Field(alias="stepId")
    state: EmrStepState
    name: str | None = None
    action_on_failure: EmrActionOnFailure | None = Field(default=None, alias="actionOnFailure")
    message: str | None = None
    severity: str | None = None
    state_change_reason: StateChangeReason = Field(default_factory=dict, alias="stateChangeReason")


class EmrInstanceGroupStateChange(AwsDetail):
    """An EMR instance group moved to a new state or finished resizing."""

    detail_type: ClassVar[str] = "EMR Instance Group State Change"
    source: ClassVar[str] = EMR_SOURCE

    cluster_id: str = Field(alias="clusterId")
    instance_group_id: str = Field(alias="instanceGroupId")
    instance_group_type: EmrInstanceRoleType | None = Field(default=None, alias="instanceGroupType")
    state: EmrInstanceGroupState
    instance_type: str | None = Field(default=None, alias="instanceType")
    market: str | None = None
    requested_instance_count: int | None = Field(default=None, alias="requestedInstanceCount")
    """Sent by AWS as a string; parsed to an int."""
    running_instance_count: int | None = Field(default=None, alias="runningInstanceCount")
    message: str | None = None
    severity: str | None = None


class EmrAutoScalingPolicyStateChange(AwsDetail):
    """An instance group's automatic scaling policy changed state."""

    detail_type: ClassVar[str] = "EMR Auto Scaling Policy State Change"
    source: ClassVar[str] = EMR_SOURCE

    cluster_id: str = Field(alias="clusterId")
    resource_id: str = Field(alias="resourceId")
    state: EmrAutoScalingPolicyState
    message: str | None = None
    scaling_resource_type: str | None = Field(default=None, alias="scalingResourceType")


class StackStatusDetails(AwsDetail):
    """CloudFormation's `status-details` of a stack."""

    status: StackStatus
    status_reason: str = Field(default="", alias="status-reason")


class ResourceStatusDetails(AwsDetail):
    """CloudFormation's `status-details` of a resource."""

    status: ResourceStatus
    status_reason: str = Field(default="", alias="status-reason")


class CloudFormationStackStatusChange(AwsDetail):
    """A CloudFormation stack moved to a new status."""

    detail_type: ClassVar[str] = "CloudFormation Stack Status Change"
    source: ClassVar[str] = CLOUDFORMATION_SOURCE

    stack_id: str = Field(alias="stack-id")
    status_details: StackStatusDetails = Field(alias="status-details")
    client_request_token: str | None = Field(default=None, alias="client-request-token")
    """Absent from some real events; '' when the request carried none."""

    @property
    def stack_name(self) -> str:
        """The name inside the stack ARN (arn:...:stack/<name>/<uuid>)."""
        return stack_name_from_arn(self.stack_id)


class CloudFormationResourceStatusChange(AwsDetail):
    """A resource of a CloudFormation stack moved to a new status."""

    detail_type: ClassVar[str] = "CloudFormation Resource Status Change"
    source: ClassVar[str] = CLOUDFORMATION_SOURCE

    stack_id: str = Field(alias="stack-id")
    logical_resource_id: str = Field(alias="logical-resource-id")
    physical_resource_id: str | None = Field(default=None, alias="physical-resource-id")
    resource_type: str = Field(alias="resource-type")
    status_details: ResourceStatusDetails = Field(alias="status-details")
    client_request_token: str | None = Field(default=None, alias="client-request-token")


def stack_name_from_arn(stack_id: str) -> str:
    """The stack name in a stack ARN; a bare name is returned as it is."""
    _, _, resource = stack_id.rpartition(":")
    parts = resource.split("/")
    return parts[1] if len(parts) > 1 and parts[0] == "stack" else resource


AWS_EVENT_TYPES: tuple[type[AwsDetail], ...] = (
    EmrClusterStateChange,
    EmrStepStatusChange,
    EmrInstanceGroupStateChange,
    EmrAutoScalingPolicyStateChange,
    CloudFormationStackStatusChange,
    CloudFormationResourceStatusChange,
)
AWS_REGISTRY: dict[tuple[str, str], type[AwsDetail]] = {
    (model.source, model.detail_type): model for model in AWS_EVENT_TYPES
}


def parse_aws_detail(envelope: EventBridgeEnvelope | Mapping[str, Any]) -> AwsDetail:
    """The typed detail of an AWS event; UnknownEventType if we have no model for it."""
    if not isinstance(envelope, EventBridgeEnvelope):
        envelope = EventBridgeEnvelope.model_validate(envelope)
    model = AWS_REGISTRY.get((envelope.source, envelope.detail_type))
    if model is None:
        raise UnknownEventType(envelope.detail_type, envelope.source)
    return model.model_validate(envelope.detail)
