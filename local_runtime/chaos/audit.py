"""The audit after a chaos run, from the services' stores (through their APIs) and AWS's own state.

- accepted: jobs a 202 named; ended: those succeeded, failed after their attempts, or cancelled;
  queued: those still waiting for a slot; lost: accepted and neither ended nor queued (missing,
  or stuck allocated or running with no step alive on EMR).
- double_steps: jobs with two EMR steps alive (added and not ended) at the same moment.
- foreign_steps: steps on an EMR cluster other than the one the job's attempt was allocated to.
- leaked_stacks: stacks and EMR clusters alive in AWS that no cluster record holds.
- pools_out_of_bounds: pools whose live clusters are above MAXIMUM or below the MINIMUM kept.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from local_runtime.chaos.aws import Aws, Step
from local_runtime.chaos.workload import Accepted
from local_runtime.harness.platform import OPERATOR_KEY, HttpError, Platform, call

TERMINAL = ("succeeded", "failed", "cancelled")
WAITING = ("submitted", "queued")
ENDED_CLUSTER = ("TERMINATED", "FAILED")
LIVE_EMR = ("STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING", "TERMINATING")


@dataclass
class Audit:
    accepted: int = 0
    ended: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    queued: int = 0
    lost: list[str] = field(default_factory=list)
    double_steps: list[str] = field(default_factory=list)
    foreign_steps: list[str] = field(default_factory=list)
    leaked_stacks: list[str] = field(default_factory=list)
    pools_out_of_bounds: list[str] = field(default_factory=list)


def statuses(platform: Platform, jobs: dict[str, Accepted]) -> dict[str, str]:
    """Each accepted job's status ("missing" if the job service does not know it)."""
    found: dict[str, str] = {}
    for key in {job.key for job in jobs.values()}:
        token: str | None = None
        while True:
            query = "limit=100" + (f"&next_token={token}" if token else "")
            page = call("GET", f"{platform.url('job')}/jobs?{query}", key)
            for job in page["jobs"]:
                found[str(job["job_id"])] = str(job["status"])
            token = page.get("next_token")
            if not token:
                break
    return {job_id: found.get(job_id, "missing") for job_id in jobs}


def audit(platform: Platform, aws: Aws, jobs: dict[str, Accepted]) -> Audit:
    """Everything the module docstring lists, as the platform and AWS stand now."""
    now = datetime.now(UTC)
    status = statuses(platform, jobs)
    steps = aws.job_steps()
    by_job: dict[str, list[Step]] = defaultdict(list)
    for step in steps:
        by_job[step.job_id].append(step)
    report = Audit(accepted=len(jobs))
    for job_id, state in status.items():
        report.outcomes[state] = report.outcomes.get(state, 0) + 1
        if state in TERMINAL:
            report.ended += 1
        elif state in WAITING:
            report.queued += 1
        elif not any(s.ended is None for s in by_job.get(job_id, [])):
            report.lost.append(f"{job_id} ({state}, no live step)")
    for job_id, job_steps in by_job.items():
        if any(a.overlaps(b, now) for i, a in enumerate(job_steps) for b in job_steps[i + 1 :]):
            report.double_steps.append(f"{job_id}: {[s.step_id for s in job_steps]}")
    clusters = _cluster_records(platform)
    emr_of = _emr_ids(platform)
    emr_of.update({c["cluster_id"]: c["emr_cluster_id"] for c in clusters if c["emr_cluster_id"]})
    for job_id in {s.job_id for s in steps if s.job_id in jobs}:
        allocated = _allocations(platform, jobs[job_id])
        for step in by_job[job_id]:
            cluster = allocated.get(step.attempt, "none")
            if emr_of.get(cluster) != step.emr_cluster_id:
                report.foreign_steps.append(
                    f"{job_id}#{step.attempt}: step {step.step_id} on {step.emr_cluster_id}, "
                    f"allocated {cluster} ({emr_of.get(cluster)})"
                )
    report.leaked_stacks = _leaks(aws, clusters)
    report.pools_out_of_bounds = _out_of_bounds(platform)
    return report


def _allocations(platform: Platform, job: Accepted) -> dict[int, str]:
    """The cluster each attempt of a job was allocated to, from its stored events."""
    url = f"{platform.url('job')}/jobs/{job.job_id}/history"
    try:
        events = call("GET", url, job.key)["events"]
    except HttpError:
        return {}
    return {
        int(e["fields"]["attempt"]): str(e["fields"]["cluster_id"])
        for e in events
        if e["type"] == "Allocated"
    }


def _cluster_records(platform: Platform) -> list[dict[str, Any]]:
    return list(call("GET", f"{platform.url('cluster')}/clusters", OPERATOR_KEY)["clusters"])


def _emr_ids(platform: Platform) -> dict[str, str]:
    """Each cluster's EMR cluster id, gone ones included, from the ClusterReady events the
    monitor recorded (the cluster service lists only the clusters its pools still hold)."""
    found: dict[str, str] = {}
    token: str | None = None
    while True:
        query = "type=ClusterReady&limit=500" + (f"&next_token={token}" if token else "")
        page = call("GET", f"{platform.url('monitor')}/audit/events?{query}", OPERATOR_KEY)
        for event in page["events"]:
            detail = event["detail"]
            found[str(detail["cluster_id"])] = str(detail["emr_cluster_id"])
        token = page.get("next_token")
        if not token:
            return found


def _leaks(aws: Aws, records: list[dict[str, Any]]) -> list[str]:
    """Stacks and EMR clusters alive in AWS that no cluster record holds (a record holds its
    stack until the stack is deleted; an EMR cluster is its stack's, named after the record)."""
    holding = [r for r in records if not r.get("stack_deleted")]
    stacks = {r["stack_name"] for r in holding if r.get("stack_name")}
    emr_ids = {r["emr_cluster_id"] for r in holding if r.get("emr_cluster_id")}
    held_ids = {str(r["cluster_id"]) for r in holding}
    states = {
        str(r["cluster_id"]): f"{r['state']}, stack_deleted={r.get('stack_deleted')}"
        for r in records
    }
    leaks = [
        f"stack {s['StackName']} ({s['StackStatus']})"
        for s in aws.live_stacks()
        if s["StackName"] not in stacks
    ]
    for cluster in aws.clusters(LIVE_EMR):
        name = str(cluster.get("Name", ""))
        owner = next((i for i in states if name.endswith(i)), None)
        if cluster["Id"] in emr_ids or owner in held_ids:
            continue
        record = states.get(owner or "", "no record")
        leaks.append(f"cluster {cluster['Id']} {name} ({cluster['Status']['State']}; {record})")
    return leaks


def _out_of_bounds(platform: Platform) -> list[str]:
    pools = call("GET", f"{platform.url('cluster')}/pools", OPERATOR_KEY)["pools"]
    found = []
    for pool in pools:
        live = sum(n for s, n in pool["clusters_by_state"].items() if s not in ENDED_CLUSTER)
        low = int(pool.get("effective_minimum", pool["minimum"]))
        if not low <= live <= int(pool["maximum"]):
            found.append(f"{pool['profile']}: {live} live, bounds {low}..{pool['maximum']}")
    return found
