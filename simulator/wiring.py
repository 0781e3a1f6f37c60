"""The only module that builds the services' own value objects: a cluster profile for the
cluster service and a job profile's terms for the job service, from the scenario.

Everything else in the simulator talks to the services through their bootstraps, use cases,
translate functions and consumers; if the services' domain packages move, this is the one
place to follow them.
"""

from __future__ import annotations

from typing import Final
from uuid import UUID

from cluster_service.domain.profiles import ClusterProfile
from cluster_service.domain.records import EmrLink
from job_service.domain import ClusterRequest, KnownCluster, ProfileTerms, StepTemplate
from simulator.scenario import ProfileSpec

STEP_ARGS: Final = ("simulated-step", "--job={job}", "--run-seconds={duration}")
"""The step a simulated job runs: the cloud model reads its job number and run time."""
JOB_TIMEOUT_S: Final = 60 * 86_400
"""Longer than any job of a log: the platform's timeout never cuts a simulated job short."""


def cluster_profile(spec: ProfileSpec) -> ClusterProfile:
    return ClusterProfile(
        name=spec.name,
        release_label="emr-7.1.0",
        applications=spec.applications,
        master_instance_type=spec.master_instance_type,
        core_instance_type=spec.core_instance_type,
        core_instance_count=spec.core_instance_count,
        step_concurrency=spec.slots,
        idle_timeout_seconds=7_200,
        task_instance_type=spec.task_instance_type,
        task_instance_count=spec.task_instance_count,
    )


def job_profile_terms(cluster_profile_name: str) -> ProfileTerms:
    return ProfileTerms(
        job_type="scoring",
        cluster_profile=cluster_profile_name,
        step_template=StepTemplate("command", STEP_ARGS),
        max_attempts=3,
        timeout_seconds=JOB_TIMEOUT_S,
    )


def cluster_records(cluster_id: str, emr_cluster_id: str | None) -> tuple[list[UUID], list[UUID]]:
    """The aggregates each service keeps about one cluster, by id: the cluster service's (the
    cluster, its EMR link) and the job service's (what it knows of the cluster, its request)."""
    kept = [UUID(cluster_id)] + ([EmrLink.id_for(emr_cluster_id)] if emr_cluster_id else [])
    return kept, [KnownCluster.id_for(cluster_id), ClusterRequest.id_for(cluster_id)]
