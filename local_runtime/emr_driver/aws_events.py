"""The events AWS's EMR and CloudFormation put on the default bus, in their exact shapes.

Shapes follow `reference/aws-events/`: EMR events carry `resources: []` and a JSON-encoded
`stateChangeReason`; CloudFormation events carry the stack ARN in `resources`.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

EMR_SOURCE = "aws.emr"
CFN_SOURCE = "aws.cloudformation"
CLUSTER_CHANGE = "EMR Cluster State Change"
STEP_CHANGE = "EMR Step Status Change"
STACK_CHANGE = "CloudFormation Stack Status Change"
PUT_EVENTS_BATCH = 10

_STEP_SEVERITY = {"FAILED": "ERROR", "CANCELLED": "WARN", "INTERRUPTED": "WARN"}
_STEP_VERB = {
    "RUNNING": "started running at {at}",
    "FAILED": "failed at {at}",
    "CANCELLED": "was cancelled at {at}",
    "INTERRUPTED": "was interrupted at {at}",
}
_CLUSTER_VERB = {
    "STARTING": "was requested at {at} and is being created",
    "BOOTSTRAPPING": "began running bootstrap actions at {at}",
    "RUNNING": "began running steps at {at}",
    "TERMINATING": "began terminating at {at} with a reason of {code}",
    "TERMINATED": "has terminated at {at} with a reason of {code}",
    "TERMINATED_WITH_ERRORS": "has terminated with errors at {at} with a reason of {code}",
}

log = logging.getLogger(__name__)


def minute(when: datetime) -> str:
    """AWS's timestamp in event messages: '2016-12-16 20:42 UTC'."""
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def encoded_reason(code: str, message: str | None) -> str:
    """stateChangeReason as EMR sends it: a compact JSON string, '{"code":""}' when blank."""
    reason = {"code": code} if message is None else {"code": code, "message": message}
    return json.dumps(reason, separators=(",", ":"))


def cluster_message(cluster_id: str, name: str, state: str, code: str, when: datetime) -> str:
    """The `message` EMR writes for a cluster's new state."""
    subject = f"Amazon EMR cluster {cluster_id} ({name})"
    if state == "WAITING":
        return f"{subject} is ready for use and waiting for steps since {minute(when)}."
    return f"{subject} {_CLUSTER_VERB[state].format(at=minute(when), code=code)}."


def cluster_detail(
    cluster_id: str, name: str, state: str, reason: tuple[str, str | None], when: datetime
) -> dict[str, Any]:
    """The detail of an "EMR Cluster State Change"."""
    code, message = reason
    return {
        "severity": "CRITICAL" if state == "TERMINATED_WITH_ERRORS" else "INFO",
        "stateChangeReason": encoded_reason(code, message),
        "name": name,
        "clusterId": cluster_id,
        "state": state,
        "message": cluster_message(cluster_id, name, state, code, when),
    }


def step_message(step: dict[str, str], state: str, when: datetime, started: datetime) -> str:
    """The `message` EMR writes for a step's new state."""
    cluster = f"Amazon EMR cluster {step['clusterId']} ({step['clusterName']})"
    subject = f"Step {step['stepId']} ({step['name']})"
    if state == "PENDING":
        return f"{subject} was added to {cluster} at {minute(when)} and is pending execution."
    if state == "COMPLETED":
        took = max(0, round((when - started).total_seconds() / 60))
        return (
            f"{subject} in {cluster} completed execution at {minute(when)}. The step started "
            f"running at {minute(started)} and took {took} minutes to complete."
        )
    return f"{subject} in {cluster} {_STEP_VERB[state].format(at=minute(when))}."


def step_detail(
    step: dict[str, str], state: str, when: datetime, started: datetime | None = None
) -> dict[str, Any]:
    """The detail of an "EMR Step Status Change"; `step` has stepId, name, clusterId, ...."""
    return {
        "severity": _STEP_SEVERITY.get(state, "INFO"),
        "actionOnFailure": step["actionOnFailure"],
        "stepId": step["stepId"],
        "name": step["name"],
        "clusterId": step["clusterId"],
        "state": state,
        "message": step_message(step, state, when, started or when),
    }


def stack_detail(stack_id: str, status: str, reason: str = "") -> dict[str, Any]:
    """The detail of a "CloudFormation Stack Status Change"."""
    return {
        "stack-id": stack_id,
        "status-details": {"status": status, "status-reason": reason},
        "client-request-token": "",
    }


def envelope(
    source: str,
    detail_type: str,
    detail: dict[str, Any],
    *,
    resources: list[str],
    account: str,
    region: str,
    when: datetime,
) -> dict[str, Any]:
    """An EventBridge envelope; its id is replaced by PutEvents' EventId once published."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": resources,
        "detail": detail,
    }


class Publisher:
    """Puts envelopes on the default bus in order; what fails stays queued for the next call."""

    def __init__(self, events_client: Any) -> None:
        self._events = events_client
        self._outbox: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def publish(self, envelopes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Queue `envelopes` and send the whole queue; the envelopes sent by this call."""
        with self._lock:
            self._outbox.extend(envelopes)
            sent: list[dict[str, Any]] = []
            while self._outbox:
                batch = self._outbox[:PUT_EVENTS_BATCH]
                accepted, refused = self._put(batch)
                sent.extend(accepted)
                self._outbox[: len(batch)] = refused
                if refused:
                    break
            return sent

    def _put(
        self, batch: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """PutEvents one batch: (accepted, refused); FailedEntryCount > 0 is an error, retried."""
        try:
            answer = self._events.put_events(Entries=[_entry(item) for item in batch])
        except Exception:
            log.exception("PutEvents failed; %d events stay queued", len(self._outbox))
            return [], batch
        accepted, refused = [], []
        for item, entry in zip(batch, answer["Entries"], strict=True):
            if entry.get("ErrorCode") or "EventId" not in entry:
                refused.append(item)
            else:
                item["id"] = entry["EventId"]
                accepted.append(item)
        if refused:
            log.error("PutEvents refused %d entries; they stay queued", len(refused))
        return accepted, refused


def _entry(item: dict[str, Any]) -> dict[str, Any]:
    """A PutEvents entry for an envelope, on the default bus."""
    return {
        "Source": item["source"],
        "DetailType": item["detail-type"],
        "Detail": json.dumps(item["detail"]),
        "Resources": item["resources"],
        "Time": datetime.strptime(item["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC),
    }
