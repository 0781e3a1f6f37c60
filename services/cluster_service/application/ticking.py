"""The tick: thresholds from SSM, reconciliation with AWS, orphan stacks, and every pool's policy.

Per tick: one ThresholdSource read, one paginated DescribeStacks (every stack tagged with a
pool), then per profile one save. A cluster not heard of for `reconcile_after` is checked
against its stack in that listing (and, while it should be running, DescribeCluster): a status
that was never announced is followed now; a REQUESTED cluster without a stack is created again
(same name and token: never a second stack); a pending delete is asked for again, with a new
token after DELETE_FAILED; a stack that is gone is recorded gone. A tagged stack that no roster
lists is an orphan: recorded once (OrphanStackFound) and, when configured, deleted. The listing
is taken before the rosters are read, so a cluster saved meanwhile is never taken for an orphan
(its stack is created only after its save).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, TypeVar

from cluster_service.application.errors import TickIncomplete
from cluster_service.application.pools import ProfilesAndPools
from cluster_service.application.ports import POOL_TAG, ClusterInspector, Provisioner, StackInfo
from cluster_service.application.runner import PoolRunner
from cluster_service.application.signals import apply_signal
from cluster_service.application.store import ClusterStore
from cluster_service.application.work import PoolWork
from cluster_service.domain.cluster import Cluster
from cluster_service.domain.lifecycle import ClusterState

logger = logging.getLogger(__name__)

S = ClusterState
EMR_ACTIVE: Final = frozenset({S.PROVISIONING, S.STARTING, S.BOOTSTRAPPING, S.READY, S.BUSY})
"""States in which the EMR cluster should be there and working."""
R = TypeVar("R")


@dataclass
class TickReport:
    at: datetime
    thresholds_changed: list[str] = field(default_factory=list)
    decisions: int = 0
    repaired: int = 0
    """Clusters whose state the tick corrected from what AWS says."""
    recreated: int = 0
    redeleted: int = 0
    orphans_found: list[str] = field(default_factory=list)
    orphans_deleted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """What failed this tick (logged): "thresholds", "stacks", or a profile's name."""


class ClusterTick:
    """The scheduled tick of the cluster service; see the module docstring."""

    def __init__(
        self,
        store: ClusterStore,
        runner: PoolRunner,
        profiles: ProfilesAndPools,
        provisioner: Provisioner,
        inspector: ClusterInspector,
        *,
        reconcile_after: timedelta = timedelta(minutes=5),
        delete_orphans: bool = False,
    ) -> None:
        """`profiles` applies the ThresholdSource's readings; `reconcile_after`: how long a
        cluster may go unheard of before the tick asks CloudFormation and EMR about it."""
        self.store = store
        self.runner = runner
        self.profiles = profiles
        self.provisioner = provisioner
        self.inspector = inspector
        self.reconcile_after = reconcile_after
        self.delete_orphans = delete_orphans

    def tick(self, at: datetime) -> TickReport:
        """Run one tick; TickIncomplete (with the report) if any part failed."""
        report = TickReport(at)
        changed = self._guarded(report, "thresholds", self.profiles.sync_thresholds, at)
        report.thresholds_changed = changed or []
        stacks = self._guarded(report, "stacks", self.provisioner.stacks_tagged, POOL_TAG)
        for name in self.store.profile_names():
            self._guarded(report, name, self._tick_pool, name, at, stacks, report)
        if report.errors:
            raise TickIncomplete(report)
        return report

    def _guarded(
        self, report: TickReport, what: str, call: Callable[..., R], *args: object
    ) -> R | None:
        try:
            return call(*args)
        except Exception:
            logger.exception("tick at %s: %s failed", report.at, what)
            report.errors.append(what)
            return None

    def _tick_pool(
        self, name: str, at: datetime, stacks: list[StackInfo] | None, report: TickReport
    ) -> None:
        with self.runner.working_on(name, at) as work:
            if stacks is not None and work.registered:
                self._reconcile_with_aws(work, stacks, at, report)
        report.decisions += len(work.decisions)

    def _reconcile_with_aws(
        self, work: PoolWork, stacks: list[StackInfo], at: datetime, report: TickReport
    ) -> None:
        listed = {s.name: s for s in stacks if s.tags.get(POOL_TAG) == work.name}
        for cluster in list(work.clusters.values()):
            if cluster.modified_on <= at - self.reconcile_after:
                self._check(work, cluster, listed.get(cluster.stack_name), at, report)
        self._find_orphans(work, listed, at, report)

    def _check(
        self,
        work: PoolWork,
        cluster: Cluster,
        stack: StackInfo | None,
        at: datetime,
        report: TickReport,
    ) -> None:
        version = cluster.version
        if stack is None and cluster.state is S.REQUESTED:
            work.retry_creates.append(cluster)
            report.recreated += 1
        elif stack is None:
            if not cluster.stack_deleted:
                cluster.on_stack_status("DELETE_COMPLETE", at, "the tick found no stack")
        else:
            apply_signal(cluster.on_stack_status, stack.status, at, stack.reason)
            if cluster.stack_delete_pending:
                if stack.status != "DELETE_IN_PROGRESS":  # DELETE_FAILED: a new token now
                    work.retry_deletes.append(cluster)
                    report.redeleted += 1
            elif cluster.state in EMR_ACTIVE:
                self._check_emr(cluster, stack, at)
        report.repaired += cluster.version != version

    def _check_emr(self, cluster: Cluster, stack: StackInfo, at: datetime) -> None:
        emr_id = cluster.emr_cluster_id or stack.emr_cluster_id
        emr_id = emr_id or self.provisioner.emr_cluster_id(stack.name)
        info = None if emr_id is None else self.inspector.describe(emr_id)
        if emr_id is not None and info is not None:
            apply_signal(cluster.on_emr_state, emr_id, info.state, at, info.reason)

    def _find_orphans(
        self, work: PoolWork, listed: dict[str, StackInfo], at: datetime, report: TickReport
    ) -> None:
        roster = work.roster
        assert roster is not None
        owned = set(roster.clusters.values())
        for name, stack in listed.items():
            if name in owned:
                continue
            if name not in roster.orphans:
                roster.orphan_found(name, stack.stack_id, stack.status, stack.emr_cluster_id, at)
                report.orphans_found.append(name)
            first = roster.orphans[name] == 0
            if self.delete_orphans and (first or stack.status == "DELETE_FAILED"):
                work.orphan_deletes.append((name, roster.orphan_delete_requested(name, at)))
                report.orphans_deleted.append(name)
        for name in [n for n in roster.orphans if n not in listed]:
            roster.orphan_gone(name, at)
