"""PoolRunner: runs a change to one pool as one unit of work, from load to CloudFormation.

`working_on(profile, at, consumed)` loads the pool (`work.open_pool`), lets the use case change
it, follows the pool's MINIMUM schedule for the hour of `at` (`Pool.follow_schedule`: the tick
runs every pool each minute, so a new hour's value is in force within a tick), runs the policy
(`domain.policy.decide`: new clusters are requested, surplus ones decommissioned), retires
clusters that are over and links newly identified EMR clusters, saves everything once with the
consumed markers (`ClusterStore.commit`), and only then calls CloudFormation. If that call fails
(or the process dies first), the tick repairs it: a cluster still REQUESTED without a stack is
created again (same token, same name), a pending delete is asked for again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from cluster_service.application.ports import CLUSTER_ID_TAG, POOL_TAG, Provisioner
from cluster_service.application.store import ClusterStore
from cluster_service.application.work import PoolWork, open_pool
from cluster_service.domain.cluster import Cluster
from cluster_service.domain.lifecycle import TERMINAL
from cluster_service.domain.policy import StartCluster, decide
from cluster_service.domain.profiles import ClusterProfile
from cluster_service.domain.records import EmrLink

logger = logging.getLogger(__name__)

STARTS_PER_PASS: Final = 16
"""Clusters one pass may start; a burst beyond it is started by the next event or tick."""


class PoolRunner:
    """The unit of work every use case that can change a pool's capacity runs in."""

    def __init__(
        self,
        store: ClusterStore,
        provisioner: Provisioner,
        template: str,
        new_id: Callable[[], UUID],
    ) -> None:
        """`template` is the stack template's text; `new_id` names new clusters."""
        self.store = store
        self.provisioner = provisioner
        self.template = template
        self.new_id = new_id

    @contextmanager
    def working_on(
        self, name: str, at: datetime, consumed: Sequence[str] = ()
    ) -> Iterator[PoolWork]:
        """Load the pool, let the caller change it, then decide, save once and call AWS."""
        with self.store.lock:
            work = open_pool(self.store, name)
            yield work
            self._plan(work, at)
            self._settle(work, at)
            self.store.commit(work.aggregates(), consumed)
            self._carry_out(work)

    def _plan(self, work: PoolWork, at: datetime) -> None:
        if not work.registered:
            return
        assert work.pool is not None and work.profile is not None
        slots = work.profile.slots
        work.pool.follow_schedule(at)
        for decision in decide(
            work.pool,
            work.views(),
            work.queued_jobs,
            at,
            slots_per_cluster=slots,
            minimum=work.pool.effective_minimum,
            max_starts=STARTS_PER_PASS,
        ):
            if isinstance(decision, StartCluster):
                cluster = Cluster.request(self.new_id(), work.name, slots, decision.reason, at)
                work.add(cluster, at)
            else:
                work.clusters[decision.cluster_id].decommission(decision.reason, at)
            work.decisions.append(decision)

    def _settle(self, work: PoolWork, at: datetime) -> None:
        """Retire clusters that are over with their stack gone; link newly known EMR ids."""
        for cluster in work.clusters.values():
            if work.roster is not None and cluster.state in TERMINAL and cluster.stack_deleted:
                work.roster.retire(cluster.id, at)
        for cluster in work.identified():
            assert cluster.emr_cluster_id is not None
            if self.store.get(EmrLink.id_for(cluster.emr_cluster_id), EmrLink) is None:
                work.others.append(EmrLink.link(cluster.emr_cluster_id, cluster.id, at))

    # Calling CloudFormation.

    def _carry_out(self, work: PoolWork) -> None:
        for cluster in [*work.started(), *work.retry_creates]:
            assert work.profile is not None
            self._attempt(
                f"CreateStack {cluster.stack_name}", self._create_stack, cluster, work.profile
            )
        deletes = [(c.stack_name, c.delete_request_token) for c in work.to_delete()]
        for stack_name, token in [*deletes, *work.orphan_deletes]:
            self._attempt(
                f"DeleteStack {stack_name}", self.provisioner.delete_stack, stack_name, token
            )

    def _create_stack(self, cluster: Cluster, profile: ClusterProfile) -> None:
        self.provisioner.create_stack(
            cluster.stack_name,
            self.template,
            profile.stack_parameters(cluster.id),
            cluster.client_request_token,
            {POOL_TAG: profile.name, CLUSTER_ID_TAG: str(cluster.id)},
        )

    def _attempt(self, what: str, call: Callable[..., None], *args: Any) -> None:
        """Call AWS after the save; a failure is logged and left to the tick's repair (raising
        would not help: the event's marker is saved, so a redelivery changes nothing)."""
        try:
            call(*args)
        except Exception:
            logger.warning("%s failed; the tick will repair it", what, exc_info=True)
