"""AWS signals: stack status changes, EMR cluster state changes, and ClusterUnhealthy.

A stack is ours when its name is `emrcp-<profile>-<short id>` and that profile's roster lists
it. An EMR cluster is placed by its EmrLink (written when a cluster is first identified), else by
its `emr-control-plane:cluster-id` tag (DescribeCluster), else by its name
(`emrcp-<profile>-<cluster id>`, set by the template) confirmed by the stack's own EMR id
(DescribeStackResources). Events about stacks and EMR clusters that are not ours are dropped
without a marker: they change nothing, and the account may hold many.

A cluster that fails (CREATE_FAILED, TERMINATED_WITH_ERRORS mid-job, a stack deleted behind our
back) is recorded FAILED with the jobs it held; the pool's policy then asks for its stack's
deletion and starts a replacement in the same save. A stack that settles (CREATE_COMPLETE,
ROLLBACK_COMPLETE) while its deletion is pending is asked again: CloudFormation may refuse a
DeleteStack sent while the stack was still rolling back. Each signal about one of ours runs in
`PoolRunner.working_on`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Final

from cluster_service.application.ports import CLUSTER_ID_TAG, ClusterInspector, Provisioner
from cluster_service.application.runner import PoolRunner
from cluster_service.application.store import ClusterStore
from cluster_service.domain.cluster import Cluster
from cluster_service.domain.errors import EmrClusterMismatch, UnknownAwsState
from cluster_service.domain.lifecycle import TERMINAL
from cluster_service.domain.records import EmrLink

logger = logging.getLogger(__name__)

STACK_NAME: Final = re.compile(r"^emrcp-(?P<profile>[a-z][a-z0-9-]{0,39})-[0-9a-f]{12}$")
EMR_NAME: Final = re.compile(r"^emrcp-[a-z][a-z0-9-]{0,39}-(?P<cluster>[-0-9a-f]{36})$")
"""The EMR cluster's name the template gives: emrcp-<profile>-<cluster id>."""


SETTLED: Final = frozenset({"CREATE_COMPLETE", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED"})
"""Stack statuses after which a pending DeleteStack is asked for again."""


def profile_of_stack(stack_name: str) -> str | None:
    match = STACK_NAME.match(stack_name)
    return match["profile"] if match else None


class AwsSignals:
    """Stack and EMR state changes, and the monitor's ClusterUnhealthy."""

    def __init__(
        self,
        store: ClusterStore,
        runner: PoolRunner,
        provisioner: Provisioner,
        inspector: ClusterInspector,
    ) -> None:
        """`provisioner` and `inspector` place an EMR cluster that has no EmrLink yet."""
        self.store = store
        self.runner = runner
        self.provisioner = provisioner
        self.inspector = inspector

    def stack_status_changed(
        self,
        stack_name: str,
        status: str,
        at: datetime,
        *,
        reason: str = "",
        consumed: Sequence[str] = (),
    ) -> bool:
        """Follow a stack's status; False (nothing recorded) for a stack that is not ours."""
        profile = profile_of_stack(stack_name)
        if profile is None:
            return False
        with self.runner.working_on(profile, at, consumed) as work:
            cluster = work.cluster_of_stack(stack_name)
            if cluster is not None:
                apply_signal(cluster.on_stack_status, status, at, reason)
                if cluster.stack_delete_pending and status in SETTLED:
                    work.retry_deletes.append(cluster)  # a delete asked for mid-rollback
        return True

    def emr_state_changed(
        self,
        emr_cluster_id: str,
        state: str,
        at: datetime,
        *,
        name: str | None = None,
        reason: str = "",
        consumed: Sequence[str] = (),
    ) -> bool:
        """Follow an EMR cluster's state; False (nothing recorded) for a cluster not ours."""
        placed = self._placed(emr_cluster_id, name)
        if placed is None:
            logger.debug("EMR cluster %s (%s) is not one of ours", emr_cluster_id, name)
            return False
        with self.runner.working_on(placed.profile, at, consumed) as work:
            cluster = work.cluster(placed.id)
            if cluster is not None:
                apply_signal(cluster.on_emr_state, emr_cluster_id, state, at, reason)
        return True

    def cluster_unhealthy(
        self, cluster_id: str, at: datetime, consumed: Sequence[str] = ()
    ) -> bool:
        """Decommission a cluster the monitor gave up on; the policy replaces it."""
        found = self.store.cluster(cluster_id)
        if found is None:
            self.store.commit([], consumed)
            return False
        with self.runner.working_on(found.profile, at, consumed) as work:
            cluster = work.cluster(found.id)
            if cluster is not None and cluster.state not in TERMINAL:
                cluster.decommission("unhealthy", at)
        return True

    def _placed(self, emr_cluster_id: str, name: str | None) -> Cluster | None:
        """Our cluster on that EMR cluster: by link, by tag, or by name and stack. A name
        that is not one our template gives settles it at once, with no call to EMR."""
        link = self.store.get(EmrLink.id_for(emr_cluster_id), EmrLink)
        if link is not None:
            return self.store.cluster(link.cluster_id)
        if name is not None and not EMR_NAME.match(name):
            return None
        info = self.inspector.describe(emr_cluster_id)
        tagged = None if info is None else info.tags.get(CLUSTER_ID_TAG)
        cluster = None if tagged is None else self.store.cluster(tagged)
        if cluster is not None and cluster.emr_cluster_id in (None, emr_cluster_id):
            return cluster
        match = EMR_NAME.match(name or (info.name if info else ""))
        cluster = None if match is None else self.store.cluster(match["cluster"])
        if cluster is None or cluster.emr_cluster_id not in (None, emr_cluster_id):
            return None
        confirmed = self.provisioner.emr_cluster_id(cluster.stack_name) == emr_cluster_id
        return cluster if confirmed else None


def apply_signal(signal: Callable[..., None], *args: Any) -> None:
    """Apply an AWS signal; a state AWS does not define, or another EMR cluster, is logged."""
    try:
        signal(*args)
    except (UnknownAwsState, EmrClusterMismatch) as error:
        logger.warning("signal ignored: %s", error)
