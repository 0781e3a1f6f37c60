"""CloudFormation's state machine for stacks that hold EMR clusters.

As in AWS, an AWS::EMR::Cluster is created when its cluster is ready (WAITING or RUNNING), so the
stack's CREATE_COMPLETE follows the cluster's WAITING; a stack is deleted once its clusters have
terminated. A failed creation rolls back (ROLLBACK_IN_PROGRESS → ROLLBACK_COMPLETE), or, without
rollback (OnFailure=DO_NOTHING), stops at CREATE_FAILED.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from .emitter import Emitter
from .emr import USER_REQUEST, Action, EmrMachine
from .moto_objects import (
    apply_stack_properties,
    drop_stack_events,
    idle_timeout,
    keep_listed,
    retire,
    set_stack_status,
    stack_clusters,
)
from .records import ClusterRecord, StackFailure, StackRecord
from .settings import DriverTimings

USER_INITIATED = "User Initiated"
AdoptCluster = Callable[[Any, float, str], ClusterRecord]


class StackMachine:
    """Moves adopted stacks, starting and deleting their clusters through the EMR machine."""

    def __init__(
        self,
        timings: DriverTimings,
        emitter: Emitter,
        emr: EmrMachine,
        clusters: dict[str, ClusterRecord],
        backend: Callable[[], Any],
    ) -> None:
        self.timings = timings
        self.emit = emitter
        self.emr = emr
        self.clusters = clusters
        self.backend = backend

    def adopt(self, record: StackRecord, t: float, adopt_cluster: AdoptCluster) -> StackRecord:
        """Take over a stack moto has just created: back to CREATE_IN_PROGRESS."""
        stack = record.stack
        drop_stack_events(stack, {"CREATE_COMPLETE"})
        stack.status, stack.status_reason = "CREATE_IN_PROGRESS", None
        self.emit.stack(record, "CREATE_IN_PROGRESS", USER_INITIATED, t)
        for logical_id, cluster, properties in stack_clusters(stack):
            apply_stack_properties(cluster, stack, logical_id, properties)
            adopted = adopt_cluster(cluster, t, record.id)
            adopted.idle_timeout = idle_timeout(properties)
            adopted.fail_start = record.failure.reason if record.failure else None
            record.cluster_ids.append(adopted.id)
            record.resources.append(logical_id)
        return record

    def actions(self, record: StackRecord) -> list[Action]:
        """What this stack will do next, and when."""
        clusters = self._clusters(record)
        if record.state == "CREATE_IN_PROGRESS" and not record.launched:
            return [(record.created_at + self.timings.stack_create, partial(self._launch, record))]
        if record.state == "CREATE_IN_PROGRESS":
            return self._creation_outcome(record, clusters)
        ending = record.state in ("ROLLBACK_IN_PROGRESS", "DELETE_IN_PROGRESS")
        if ending and all(cluster.ended for cluster in clusters):
            ended = [cluster.ended_at or record.since for cluster in clusters]
            done = max([record.since + self.timings.stack_delete, *ended])
            return [(done, partial(self._finish, record))]
        return []

    def begin_delete(self, record: StackRecord, t: float) -> None:
        """moto deleted the stack at once: DELETE_IN_PROGRESS until its clusters terminate."""
        stack = record.stack
        keep_listed(self.backend(), stack)
        drop_stack_events(stack, {"DELETE_IN_PROGRESS", "DELETE_COMPLETE"})
        if record.state == "DELETE_IN_PROGRESS":
            stack.status = "DELETE_IN_PROGRESS"
            return
        record.state, record.since = "DELETE_IN_PROGRESS", t
        set_stack_status(stack, "DELETE_IN_PROGRESS", USER_INITIATED)
        self.emit.stack(record, "DELETE_IN_PROGRESS", USER_INITIATED, t)
        for cluster in self._clusters(record):
            cluster.cluster.terminate_requested = False
            self.emr.terminate(cluster, t, "TERMINATED", *USER_REQUEST)

    def _creation_outcome(self, record: StackRecord, clusters: list[ClusterRecord]) -> list[Action]:
        """Roll back when a cluster ended; complete when every cluster is ready."""
        ended = [cluster.ended_at for cluster in clusters if cluster.ended_at is not None]
        if ended:
            return [(min(ended), partial(self._fail, record))]
        ready = [cluster.ready_at for cluster in clusters if cluster.ready_at is not None]
        if len(ready) == len(clusters):
            return [(max(ready, default=record.since), partial(self._complete, record))]
        return []

    def _launch(self, record: StackRecord, t: float) -> None:
        """CloudFormation starts the stack's clusters (RunJobFlow); a stack without any is done."""
        record.launched = True
        clusters = self._clusters(record)
        for cluster in clusters:
            if cluster.phase == "PROVISIONING":
                self.emr.start(cluster, t)
        if not clusters and record.failure is not None:
            self._fail(record, t)
        elif not clusters:
            self._complete(record, t)

    def _complete(self, record: StackRecord, t: float) -> None:
        """CREATE_COMPLETE."""
        self._set(record, "CREATE_COMPLETE", "", t)

    def _fail(self, record: StackRecord, t: float) -> None:
        """A resource failed: roll back (terminating what still runs), or stop at CREATE_FAILED."""
        failed = ", ".join(record.resources) or "Stack"
        reason = f"The following resource(s) failed to create: [{failed}]."
        if record.failure is not None and not record.failure.rollback:
            self._set(record, "CREATE_FAILED", reason, t)
            return
        self._set(record, "ROLLBACK_IN_PROGRESS", f"{reason} Rollback requested by user.", t)
        for cluster in self._clusters(record):
            self.emr.terminate(cluster, t, "TERMINATED", *USER_REQUEST)

    def _finish(self, record: StackRecord, t: float) -> None:
        """ROLLBACK_COMPLETE, or DELETE_COMPLETE (then DescribeStacks finds it by id only)."""
        if record.state == "ROLLBACK_IN_PROGRESS":
            self._set(record, "ROLLBACK_COMPLETE", "", t)
            return
        self._set(record, "DELETE_COMPLETE", "", t)
        retire(self.backend(), record.stack)

    def _set(self, record: StackRecord, status: str, reason: str, t: float) -> None:
        """Write a stack's new status to moto and emit it."""
        record.state, record.since = status, t
        set_stack_status(record.stack, status, reason)
        self.emit.stack(record, status, reason, t)

    def _clusters(self, record: StackRecord) -> list[ClusterRecord]:
        """The records of the stack's clusters still known."""
        return [self.clusters[i] for i in record.cluster_ids if i in self.clusters]


def new_record(stack: Any, seq: int, t: float, failure: StackFailure | None) -> StackRecord:
    """A fresh record for a stack first seen at `t`."""
    return StackRecord(stack, seq, created_at=t, since=t, failure=failure)
