"""The driver's world: which of moto's stacks and clusters it moves, and what is due next."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from .cloudformation import StackMachine, new_record
from .emitter import Emitter
from .emr import EmrMachine
from .moto_objects import cfn_backend, emr_backend
from .records import ENDED, ClusterRecord, StackFailure, StackRecord
from .settings import DriverTimings

MAX_TRANSITIONS_PER_TICK = 100_000
_MOTO_CREATING = ("CREATE_PENDING", "CREATE_IN_PROGRESS")


class World:
    """Adopts moto's new stacks and clusters, and fires their transitions in time order."""

    def __init__(
        self,
        timings: DriverTimings,
        emitter: Emitter,
        chance: Callable[[str], bool],
        backends: tuple[str, str],
    ) -> None:
        self.account, self.region = backends
        self.chance = chance
        self.clusters: dict[str, ClusterRecord] = {}
        self.stacks: dict[str, StackRecord] = {}
        self.emr = EmrMachine(timings, emitter, chance)
        self.cfn = StackMachine(timings, emitter, self.emr, self.clusters, self.cfn_backend)
        self.stack_failures: list[StackFailure] = []
        self.ignored: set[str] = set()
        self._seq = itertools.count()

    def ignore_existing(self) -> None:
        """Leave alone every stack and cluster moto has now."""
        cfn, emr = self.cfn_backend(), self.emr_backend()
        self.ignored |= {*cfn.stacks, *cfn.deleted_stacks, *emr.clusters}

    def scan(self, t: float) -> None:
        """Adopt new stacks and clusters, and take in what moto's APIs did since the last look."""
        cfn, emr = self.cfn_backend(), self.emr_backend()
        self._forget_vanished(cfn, emr)
        for stack in list(cfn.stacks.values()):
            self._look_at_stack(stack, t, deleted=False)
        for stack in list(cfn.deleted_stacks.values()):
            self._look_at_stack(stack, t, deleted=True)
        for cluster in list(emr.clusters.values()):
            self._look_at_cluster(cluster, t)

    def run_due(self, t: float) -> None:
        """Fire every transition due by `t`, earliest first (ties: oldest resource first)."""
        for _ in range(MAX_TRANSITIONS_PER_TICK):
            candidates = [
                (due, record.seq, action)
                for record in self.stacks.values()
                for due, action in self.cfn.actions(record)
            ] + [
                (due, record.seq, action)
                for record in self.clusters.values()
                for due, action in self.emr.actions(record)
            ]
            if not candidates:
                return
            due, _, action = min(candidates, key=lambda item: (item[0], item[1]))
            if due > t:
                return
            action(due)
        raise RuntimeError(f"the driver did not settle in {MAX_TRANSITIONS_PER_TICK} transitions")

    def cluster(self, cluster_id: str, t: float) -> ClusterRecord:
        """A cluster's record with its new steps taken in; LookupError if not driven."""
        if cluster_id not in self.clusters:
            self.scan(t)
        record = self.clusters.get(cluster_id)
        if record is None:
            raise LookupError(f"cluster {cluster_id} is not driven by this driver")
        self.emr.intake(record, t)
        return record

    def cfn_backend(self) -> Any:
        """moto's CloudFormation backend."""
        return cfn_backend(self.account, self.region)

    def emr_backend(self) -> Any:
        """moto's EMR backend."""
        return emr_backend(self.account, self.region)

    def _look_at_stack(self, stack: Any, t: float, *, deleted: bool) -> None:
        """Adopt a stack moto has finished creating; notice its deletion."""
        if stack.stack_id in self.ignored:
            return
        record = self.stacks.get(stack.stack_id)
        if record is None:
            if stack.status in _MOTO_CREATING:
                return
            if deleted or stack.status != "CREATE_COMPLETE":
                self.ignored.add(stack.stack_id)
                return
            record = self._adopt_stack(stack, t)
        if (deleted or stack.status == "DELETE_COMPLETE") and record.state != "DELETE_COMPLETE":
            self.cfn.begin_delete(record, t)

    def _adopt_stack(self, stack: Any, t: float) -> StackRecord:
        """A new stack: CREATE_IN_PROGRESS, failing if a failure was asked for."""
        failure = self.stack_failures.pop(0) if self.stack_failures else None
        if failure is None and self.chance("stack_create"):
            failure = StackFailure("The cluster failed to start (LOCAL_AWS_FAILURES).")
        record = new_record(stack, next(self._seq), t, failure)
        self.stacks[record.id] = record
        return self.cfn.adopt(record, t, self._adopt_cluster)

    def _look_at_cluster(self, cluster: Any, t: float) -> None:
        """Adopt a RunJobFlow cluster; take in the steps and requests of known ones."""
        record = self.clusters.get(cluster.id)
        if record is not None:
            self.emr.intake(record, t)
        elif cluster.id not in self.ignored and _adoptable(cluster):
            self._adopt_cluster(cluster, t, None)

    def _adopt_cluster(self, cluster: Any, t: float, stack_id: str | None) -> ClusterRecord:
        """Take over a cluster (a stack's, or RunJobFlow's)."""
        record = self.emr.adopt(cluster, next(self._seq), t, stack_id)
        self.clusters[record.id] = record
        return record

    def _forget_vanished(self, cfn: Any, emr: Any) -> None:
        """Drop records whose moto objects are gone (moto was reset)."""
        for cluster_id, record in list(self.clusters.items()):
            if emr.clusters.get(cluster_id) is not record.cluster:
                del self.clusters[cluster_id]
        for stack_id, stack_record in list(self.stacks.items()):
            live, gone = cfn.stacks.get(stack_id), cfn.deleted_stacks.get(stack_id)
            if stack_record.stack is not live and stack_record.stack is not gone:
                del self.stacks[stack_id]


def _adoptable(cluster: Any) -> bool:
    """Fully constructed (moto registers a cluster before its constructor ends, and sets
    `supported_products` last) and not already ended (a stack's, before its stack is seen)."""
    return hasattr(cluster, "supported_products") and cluster.state not in ENDED
