"""Each service template's consumer resources, rendered from the service's subscriptions.py.

The rules, the queue, its dead-letter queue, the queue policy and the dead-letter alarm of a
service come from the same ConsumerDefinition that `make run` builds in the emulator
(`to_cloudformation`), so the two cannot drift. In a service stack the custom bus is imported
from the shared stack, queues are encrypted with SQS-managed keys (checkov's KMS-only check is
skipped, saying why), and the alarm notifies the stack's optional alarm topic.
`python -m deploy.consumers` (`make templates`) rewrites the marked block of every service
template; tests/deploy/test_consumers.py fails while a template's block is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Final

import yaml

from backbone.messaging.definitions import ConsumerDefinition, to_cloudformation
from cluster_service.subscriptions import DEFINITION as CLUSTER_SERVICE
from job_service.subscriptions import DEFINITION as JOB_SERVICE
from monitor_service.subscriptions import DEFINITION as MONITOR_SERVICE

ROOT: Final = Path(__file__).resolve().parents[1]
DEFINITIONS: Final = {d.service: d for d in (JOB_SERVICE, CLUSTER_SERVICE, MONITOR_SERVICE)}
BEGIN: Final = "  # BEGIN consumer resources (`make templates` renders them from definitions.py)\n"
END: Final = "  # END consumer resources\n"
BUS_NAME: Final = {"Fn::ImportValue": {"Fn::Sub": "${SharedStackName}-BusName"}}
SSE_SQS: Final = {
    "checkov": {
        "skip": [
            {
                "id": "CKV_AWS_27",
                "comment": (
                    "Encrypted with SQS-managed keys (SSE-SQS); EventBridge cannot send to a queue "
                    "under the AWS-managed KMS key, and CKV_AWS_27 looks only for a KMS key."
                ),
            }
        ]
    }
}
ALARM_ACTIONS: Final = {
    "Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]
}
_LOCAL_BUS: Final = {"Fn::GetAtt": ["Bus", "Name"]}


class StaleTemplate(ValueError):
    """A template has no consumer block, or one that is not what its definition renders."""


def template_path(service: str) -> Path:
    return ROOT / "services" / service / "template.yaml"


def resources(definition: ConsumerDefinition) -> dict[str, dict[str, Any]]:
    """to_cloudformation's resources, adapted to a service stack."""
    rendered = to_cloudformation(definition)
    for resource in rendered.values():
        properties = resource["Properties"]
        if resource["Type"] == "AWS::SQS::Queue":
            properties["SqsManagedSseEnabled"] = True
            resource["Metadata"] = SSE_SQS
        elif resource["Type"] == "AWS::Events::Rule" and properties["EventBusName"] == _LOCAL_BUS:
            properties["EventBusName"] = BUS_NAME
        elif resource["Type"] == "AWS::CloudWatch::Alarm":
            properties["AlarmActions"] = ALARM_ACTIONS
    return rendered


def block(definition: ConsumerDefinition) -> str:
    """The marked block of YAML, indented under the template's Resources."""
    text = yaml.safe_dump(resources(definition), sort_keys=False, width=100)
    return BEGIN + "".join(f"  {line}\n" for line in text.splitlines()) + END


def current_block(text: str, service: str) -> str:
    """The marked block as it is in a template's text."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise StaleTemplate(f"services/{service}/template.yaml has no consumer block markers")
    return text[start : end + len(END)]


def rewrite(service: str) -> bool:
    """Render the service's block into its template; whether anything changed."""
    path = template_path(service)
    text = path.read_text()
    old = current_block(text, service)
    new = block(DEFINITIONS[service])
    if old != new:
        path.write_text(text.replace(old, new))
    return old != new


def main() -> int:
    for service in DEFINITIONS:
        changed = rewrite(service)
        print(f"services/{service}/template.yaml: {'rewritten' if changed else 'up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
