"""EmrStepRunner: the StepRunner on Amazon EMR's API (a boto3 "emr" client)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from job_service.application.ports import (
    ClusterGone,
    StepNotFound,
    StepRejected,
    StepRunner,
    StepRunnerError,
    StepRunnerUnavailable,
    StepStatus,
)

_TRANSIENT_CODES: Final = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "InternalServerError",
        "InternalServerException",
        "InternalFailure",
        "ServiceUnavailable",
    }
)
_CLUSTER_GONE = re.compile(
    r"(shutting down|terminat|finished|cluster id .* is not valid|job ?flow .* not valid)", re.I
)
_STEP_UNKNOWN = re.compile(r"step (id )?.*(is not valid|not found|does not exist)", re.I)


class EmrStepRunner(StepRunner):
    """Each method is one EMR request (find_step pages through ListSteps, newest first)."""

    def __init__(self, emr_client: Any) -> None:
        self._emr = emr_client

    def add_step(self, emr_cluster_id: str, step_config: Mapping[str, Any]) -> str:
        with _mapped_errors(f"AddJobFlowSteps on {emr_cluster_id}"):
            answer = self._emr.add_job_flow_steps(JobFlowId=emr_cluster_id, Steps=[step_config])
        return str(answer["StepIds"][0])

    def describe_step(self, emr_cluster_id: str, step_id: str) -> StepStatus:
        with _mapped_errors(f"DescribeStep {step_id} on {emr_cluster_id}", step=True):
            answer = self._emr.describe_step(ClusterId=emr_cluster_id, StepId=step_id)
        if "Step" not in answer:  # moto answers an unknown step with an empty body
            raise StepNotFound(f"{emr_cluster_id} has no step {step_id}")
        status = answer["Step"]["Status"]
        reason = status.get("FailureDetails") or status.get("StateChangeReason") or {}
        return StepStatus(str(status["State"]), reason.get("Message") or reason.get("Reason"))

    def find_step(self, emr_cluster_id: str, name: str) -> str | None:
        pages = self._emr.get_paginator("list_steps").paginate(ClusterId=emr_cluster_id)
        with _mapped_errors(f"ListSteps on {emr_cluster_id}"):
            for page in pages:
                for step in page.get("Steps", ()):
                    if step.get("Name") == name:
                        return str(step["Id"])
        return None

    def cancel_step(self, emr_cluster_id: str, step_id: str) -> None:
        # A step that already ended is answered with Status FAILED in CancelStepsInfoList, not
        # an error: there is nothing left to cancel, which is what the caller wants.
        with _mapped_errors(f"CancelSteps {step_id} on {emr_cluster_id}", step=True):
            self._emr.cancel_steps(
                ClusterId=emr_cluster_id, StepIds=[step_id], StepCancellationOption="SEND_INTERRUPT"
            )


@contextmanager
def _mapped_errors(request: str, *, step: bool = False) -> Iterator[None]:
    """Turn botocore's errors into the port's specific ones."""
    try:
        yield
    except ClientError as error:
        raise _mapped(error, request, step) from error
    except BotoCoreError as error:  # connection refused, timeouts, unreadable answers
        raise StepRunnerUnavailable(f"{request}: {error}") from error


def _mapped(error: ClientError, request: str, step: bool) -> StepRunnerError:
    details = error.response.get("Error", {})
    code, message = str(details.get("Code", "")), str(details.get("Message", ""))
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    text = f"{request}: {code} {message}".strip()
    if code in _TRANSIENT_CODES or status >= 500:
        return StepRunnerUnavailable(text)
    if code in ("ValidationException", "InvalidRequestException"):
        if step and _STEP_UNKNOWN.search(message):
            return StepNotFound(text)
        if _CLUSTER_GONE.search(message):
            return ClusterGone(text)
    return StepRejected(text)
