"""What AWS itself (the emulator) says: clusters, their steps, stacks; and the driver's faults."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from local_runtime.emulator import client
from local_runtime.harness.platform import call

STEP_JOB = re.compile(r"\[([0-9a-f-]{36})#(\d+)\]$")
"""A step's name ends with `[job id#attempt]` (job_service.application.dispatching.step_name)."""
LIVE_CLUSTER = ("STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING", "TERMINATING")


@dataclass(frozen=True)
class Step:
    """One EMR step of a job, as EMR reports it."""

    step_id: str
    emr_cluster_id: str
    job_id: str
    attempt: int
    state: str
    created: datetime
    ended: datetime | None

    def overlaps(self, other: Step, now: datetime) -> bool:
        """Whether both were live (added and not ended) at some moment."""
        return self.created < (other.ended or now) and other.created < (self.ended or now)


class Aws:
    """Read-only views of the emulator's EMR and CloudFormation, and the driver's fault routes."""

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self.emr = client("emr", endpoint_url)
        self.cfn = client("cloudformation", endpoint_url)

    def clusters(self, states: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """EMR clusters (in `states`, or all)."""
        found: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"ClusterStates": list(states)} if states else {}
        while True:
            page = self.emr.list_clusters(**kwargs)
            found += page.get("Clusters", [])
            if not page.get("Marker"):
                return found
            kwargs["Marker"] = page["Marker"]

    def steps(self, emr_cluster_id: str, states: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """A cluster's steps (in `states`, or all)."""
        found: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"ClusterId": emr_cluster_id}
        if states:
            kwargs["StepStates"] = list(states)
        while True:
            page = self.emr.list_steps(**kwargs)
            found += page.get("Steps", [])
            if not page.get("Marker"):
                return found
            kwargs["Marker"] = page["Marker"]

    def job_steps(self) -> list[Step]:
        """Every step of every cluster that belongs to a job."""
        steps = []
        for cluster in self.clusters():
            for raw in self.steps(cluster["Id"]):
                match = STEP_JOB.search(raw.get("Name", ""))
                if match is None:
                    continue
                timeline = raw["Status"].get("Timeline", {})
                steps.append(
                    Step(
                        step_id=raw["Id"],
                        emr_cluster_id=cluster["Id"],
                        job_id=match.group(1),
                        attempt=int(match.group(2)),
                        state=raw["Status"]["State"],
                        created=_utc(timeline.get("CreationDateTime")) or datetime.now(UTC),
                        ended=_utc(timeline.get("EndDateTime")),
                    )
                )
        return steps

    def live_stacks(self) -> list[dict[str, Any]]:
        """Stacks not deleted (DELETE_COMPLETE ones are gone)."""
        found: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {}
        while True:
            page = self.cfn.list_stacks(**kwargs)
            found += [s for s in page["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"]
            if not page.get("NextToken"):
                return found
            kwargs["NextToken"] = page["NextToken"]

    def control(self, path: str, body: dict[str, Any] | None = None) -> Any:
        """POST to the local driver's control API."""
        return call("POST", f"{self.endpoint_url}/local-aws/{path}", "", body or {})


def _utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromtimestamp(float(value), UTC)
