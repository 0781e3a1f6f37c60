"""The application on the DynamoDB event store (moto): markers, and two processes racing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backbone.eventstore import AlreadyConsumed
from cluster_service.adapters import FakeProvisioner
from cluster_service.application import ClustersApplication, Conflict
from cluster_service.bootstrap import ClusterServiceSettings, build_application
from local_runtime.emulator import Emulator

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def an_app(emulator: Emulator, table: str, cloud: FakeProvisioner) -> ClustersApplication:
    settings = ClusterServiceSettings(table_name=table, endpoint_url=emulator.endpoint_url)
    return build_application(
        settings.store_env(), provisioner=cloud, inspector=cloud.inspector, template="{}"
    )


def test_a_redelivered_event_is_refused_by_its_marker_and_changes_nothing(
    emulator: Emulator, table: str
) -> None:
    app = an_app(emulator, table, FakeProvisioner())
    app.seed(T0)
    app.job_submitted("job-1", "small", T0, consumed=["event-1"])
    count = app.recorder.max_notification_id()
    with pytest.raises(AlreadyConsumed):
        app.job_submitted("job-1", "small", T0, consumed=["event-1"])
    app.stack_status_changed("emrcp-small-000000000000", "CREATE_COMPLETE", T0, consumed=["e-2"])
    with pytest.raises(AlreadyConsumed):
        app.stack_status_changed(
            "emrcp-small-000000000000", "CREATE_COMPLETE", T0, consumed=["e-2"]
        )
    assert app.recorder.max_notification_id() == count
    assert app.get_pool("small").queued_jobs == 1


def test_two_processes_deciding_at_once_start_one_cluster_between_them(
    emulator: Emulator, table: str
) -> None:
    # Given two processes of the service on one table, a pool of MAXIMUM 2 with one cluster
    cloud = FakeProvisioner()
    first, second = an_app(emulator, table, cloud), an_app(emulator, table, cloud)
    first.seed(T0, {"small": (1, 2, 600), "medium": (0, 1, 60), "large": (0, 1, 60)})
    later = T0 + timedelta(seconds=5)
    # When both decide at once to start a second cluster, the first for a burst of jobs (only
    # the pool's roster is written by both), the second for a higher minimum
    with pytest.raises(Conflict), first.runner.working_on("small", later, ["event-a"]) as work:
        second.change_thresholds("small", 2, 2, 600, "api", later)
        for job in ("job-1", "job-2", "job-3"):
            work.jobs(later).queue(job, later)
    # Then only the one that saved first started a cluster: the pool stays within MAXIMUM
    assert len(second.list_clusters("small")) == 2 and len(cloud.stacks) == 2
    # And when the first's event is redelivered, it decides again on what is there now
    for job in ("job-1", "job-2", "job-3"):
        first.job_submitted(job, "small", later, consumed=[f"event-{job}"])
    assert len(first.list_clusters("small")) == 2
    assert first.get_pool("small").queued_jobs == 3
