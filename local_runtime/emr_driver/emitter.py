"""Turns the driver's transitions into AWS events, stamped with wall-clock times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from . import aws_events
from .records import ClusterRecord, StackRecord, StepRecord


class Emitter:
    """Collects the envelopes of one tick; maps the driver's clock to wall-clock time."""

    def __init__(self, account: str, region: str) -> None:
        self.account = account
        self.region = region
        self.buffer: list[dict[str, Any]] = []
        self._anchor: tuple[float, datetime] | None = None

    def wall(self, t: float) -> datetime:
        """The wall-clock time of driver time `t` (anchored at the first time asked)."""
        if self._anchor is None:
            self._anchor = (t, datetime.now(UTC))
        at, wall = self._anchor
        return wall + timedelta(seconds=t - at)

    def cluster(
        self, record: ClusterRecord, state: str, reason: tuple[str, str | None], t: float
    ) -> None:
        """An "EMR Cluster State Change"."""
        detail = aws_events.cluster_detail(record.id, record.name, state, reason, self.wall(t))
        self._add(aws_events.EMR_SOURCE, aws_events.CLUSTER_CHANGE, detail, [], t)

    def step(self, record: StepRecord, cluster: ClusterRecord, state: str, t: float) -> None:
        """An "EMR Step Status Change"."""
        info = {
            "stepId": record.id,
            "name": str(record.step.name),
            "clusterId": cluster.id,
            "clusterName": cluster.name,
            "actionOnFailure": str(record.step.action_on_failure),
        }
        started = self.wall(record.started_at) if record.started_at is not None else None
        detail = aws_events.step_detail(info, state, self.wall(t), started)
        self._add(aws_events.EMR_SOURCE, aws_events.STEP_CHANGE, detail, [], t)

    def stack(self, record: StackRecord, status: str, reason: str, t: float) -> None:
        """A "CloudFormation Stack Status Change"."""
        detail = aws_events.stack_detail(record.id, status, reason)
        self._add(aws_events.CFN_SOURCE, aws_events.STACK_CHANGE, detail, [record.id], t)

    def take(self) -> list[dict[str, Any]]:
        """The envelopes collected since the last take."""
        taken, self.buffer = self.buffer, []
        return taken

    def _add(
        self, source: str, detail_type: str, detail: dict[str, Any], resources: list[str], t: float
    ) -> None:
        """Append one envelope."""
        self.buffer.append(
            aws_events.envelope(
                source,
                detail_type,
                detail,
                resources=resources,
                account=self.account,
                region=self.region,
                when=self.wall(t),
            )
        )
