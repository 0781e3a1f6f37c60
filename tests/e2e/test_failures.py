"""Failures through real processes: a cluster lost mid-job, a service process killed.

A cluster is lost through the local driver's control API on the emulator's port
(POST /local-aws/clusters/{emr_cluster_id}/terminate): the driver, which lives in the runner's
process, ends the cluster TERMINATED_WITH_ERRORS and interrupts its running steps, and emits the
events AWS would.
"""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest

from local_runtime.emulator import client

from .platform import TERMINAL, Platform, wait_for
from .stored import stored_events

pytestmark = pytest.mark.emulator

RETRY_SECONDS = 150.0
"""A lost attempt is retried after the job service's back-off (30 s after a first attempt)."""


def job_status(platform: Platform, job_id: str, *statuses: str) -> dict[str, Any] | None:
    job: dict[str, Any] = platform.jobs("GET", f"/jobs/{job_id}")
    return job if job["status"] in statuses else None


def test_a_job_whose_cluster_is_lost_mid_run_is_requeued_and_succeeds_elsewhere(
    platform: Platform,
) -> None:
    # Given a scoring job whose EMR step is running on a cluster
    job_id = platform.submit("scoring", "critical", 10, "survives a lost cluster")
    running = wait_for("the job running", lambda: job_status(platform, job_id, "running"), 60)
    lost = next(
        c
        for c in platform.clusters("/clusters")["clusters"]
        if c["cluster_id"] == running["cluster"]
    )
    history = platform.jobs("GET", f"/jobs/{job_id}/history")["events"]
    step_id = next(e["fields"]["step_id"] for e in history if e["type"] == "Started")
    emr = client("emr", platform.emulator_url)

    def step_running() -> bool:
        step = emr.describe_step(ClusterId=lost["emr_cluster_id"], StepId=step_id)["Step"]
        return bool(step["Status"]["State"] == "RUNNING")

    wait_for("the EMR step running", step_running, 30, every=0.2)
    # When EMR terminates that cluster with errors mid-job
    platform.control(f"clusters/{lost['emr_cluster_id']}/terminate", {"code": "INSTANCE_FAILURE"})
    # Then the job goes back to its queue, and then succeeds on another cluster
    wait_for("the job requeued", lambda: job_status(platform, job_id, "queued"), 60)
    done = wait_for(
        "the job finished", lambda: job_status(platform, job_id, *TERMINAL), RETRY_SECONDS
    )
    assert done["status"] == "succeeded"
    assert done["attempts"] == 2
    assert done["cluster"] != lost["cluster_id"]
    history = platform.jobs("GET", f"/jobs/{job_id}/history")["events"]
    requeued = [e["fields"].get("reason") for e in history if e["type"] == "Requeued"]
    assert requeued == ["step_interrupted"], history
    # And the cluster service recorded the cluster failed, and started a replacement, which ran it
    events = [
        e.model_dump() | {"type": e.detail_type}
        for e in stored_events(platform.emulator_url, "cluster-service")
    ]
    failed_at = next(
        i
        for i, e in enumerate(events)
        if e["type"] == "ClusterFailed" and e["cluster_id"] == lost["cluster_id"]
    )
    started_after = [
        e["cluster_id"]
        for e in events[failed_at:]
        if e["type"] == "ClusterRequested" and e["cluster_profile"] == "small"
    ]
    assert done["cluster"] in started_after


def test_a_killed_service_process_is_restarted_and_no_accepted_job_is_lost(
    platform: Platform,
) -> None:
    # Given jobs accepted and on their way
    before = platform.processes()
    accepted = [platform.submit("predicting", "normal", 3, f"before-{i}") for i in range(3)]
    # When the job service's process is killed (no chance to clean up)
    os.kill(before["job"]["pid"], signal.SIGKILL)
    # Then the runner starts it again, and it takes jobs again
    restarted = wait_for(
        "a new job service process", lambda: _restarted(platform, before["job"]["pid"]), 60
    )
    assert restarted["restarts"] == before["job"]["restarts"] + 1
    accepted += wait_for("jobs accepted again", lambda: _try_submit(platform), 60)
    # And every job accepted before and after the crash succeeds
    for job_id in accepted:
        done = wait_for("the job finished", lambda j=job_id: job_status(platform, j, *TERMINAL), 90)
        assert done["status"] == "succeeded", done


def _restarted(platform: Platform, old_pid: int) -> dict[str, Any] | None:
    state: dict[str, Any] = platform.processes()["job"]
    return state if state["pid"] != old_pid else None


def _try_submit(platform: Platform) -> list[str] | None:
    """Two more jobs once the restarted service answers; None while it does not yet."""
    try:
        return [platform.submit("predicting", "normal", 3, f"after-{i}") for i in range(2)]
    except OSError:
        return None
