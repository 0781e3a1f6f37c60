"""What `make run` registers before the services start: the demo's job profiles, pools and
tenants.

Seeding goes through the services' own use cases (the cluster service's `seed`, the job
service's `create_profile`), on their event-store tables, once per run, before their processes
start; whatever is already registered is left as it is, so seeding twice changes nothing. The
demo tenant's API key is also given to the job service (TENANT_API_KEYS), so it works whatever
the store holds; the demo tenant (weight 1) and acme (weight 2, key ACME_API_KEY) are registered
as tenants through `register_tenant`, each with its key stored (as a hash).

Each job profile's EMR step runs a demo script whose run time is the job's `duration`
parameter: the local driver reads `--sleep-seconds=N` from a step's args.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from cluster_service.bootstrap import ClusterServiceSettings
from cluster_service.bootstrap import bootstrap as bootstrap_cluster_service
from cluster_service.domain.profiles import SEED_PROFILES
from job_service.application import JobsApplication
from job_service.application.errors import ProfileExists, TenantExists
from job_service.bootstrap import JobServiceSettings
from job_service.bootstrap import bootstrap as bootstrap_job_service
from job_service.domain import ParameterType, ProfileTerms, StepTemplate, TenantTerms

from .settings import LocalSettings, RunnerSettings

SCRIPTS = "s3://emr-control-plane-demo/jobs"
DURATION = ParameterType("number", minimum=0, maximum=86_400)
"""The step's run time in seconds (the demo sends fractions when it scales durations)."""
S3_URI = ParameterType(
    "string", pattern=r"s3://[a-z0-9][a-z0-9.-]{1,62}(/[!-~]*)?", max_length=1024
)


def job_profiles() -> dict[str, ProfileTerms]:
    """training on large clusters, scoring on small ones, predicting on medium ones."""
    return {
        "training": ProfileTerms(
            job_type="training",
            cluster_profile="large",
            step_template=StepTemplate(
                "spark",
                (
                    "--deploy-mode",
                    "cluster",
                    f"{SCRIPTS}/train.py",
                    "--dataset",
                    "{dataset}",
                    "--sleep-seconds={duration}",
                ),
            ),
            priority_class="normal",
            allowed_priorities=frozenset({"high", "normal", "low"}),
            max_attempts=3,
            timeout_seconds=3_600,
            parameters={"dataset": S3_URI, "duration": DURATION},
        ),
        "scoring": ProfileTerms(
            job_type="scoring",
            cluster_profile="small",
            step_template=StepTemplate(
                "spark",
                (
                    "--deploy-mode",
                    "cluster",
                    f"{SCRIPTS}/score.py",
                    "--date",
                    "{date}",
                    "--sleep-seconds={duration}",
                ),
            ),
            priority_class="normal",
            max_attempts=3,
            timeout_seconds=1_800,
            parameters={"date": ParameterType("date"), "duration": DURATION},
        ),
        "predicting": ProfileTerms(
            job_type="predicting",
            cluster_profile="medium",
            step_template=StepTemplate(
                "command",
                (
                    "spark-submit",
                    "--deploy-mode",
                    "cluster",
                    f"{SCRIPTS}/predict.py",
                    "--input",
                    "{input}",
                    "--sleep-seconds={duration}",
                ),
            ),
            priority_class="high",
            max_attempts=3,
            timeout_seconds=900,
            parameters={"input": S3_URI, "duration": DURATION},
        ),
    }


@dataclass(frozen=True)
class SeedReport:
    """What this seeding registered (empty when everything was there already)."""

    cluster_profiles: tuple[str, ...]
    job_profiles: tuple[str, ...]
    tenants: tuple[str, ...] = ()


def pool_thresholds(runner: RunnerSettings) -> dict[str, tuple[int, int, int]]:
    """(minimum, maximum, idle TTL) of each seeded pool, from the runner's settings."""
    limits = (runner.pool_minimum, runner.pool_maximum, runner.idle_ttl_seconds)
    return dict.fromkeys(SEED_PROFILES, limits)


def seed(
    endpoint_url: str, local: LocalSettings, runner: RunnerSettings, at: datetime
) -> SeedReport:
    """Register the cluster profiles with their pools, then the job profiles, where missing."""
    clusters = bootstrap_cluster_service(
        ClusterServiceSettings(
            table_name=local.cluster_table, endpoint_url=endpoint_url, region=local.region
        )
    )
    try:
        pools = clusters.app.seed(at, pool_thresholds(runner))
    finally:
        clusters.app.close()
    jobs = bootstrap_job_service(
        JobServiceSettings(
            table_name=local.job_table, endpoint_url=endpoint_url, region=local.region
        )
    )
    try:
        created = _create_job_profiles(jobs.app, job_profiles(), at)
        tenants = _register_tenants(jobs.app, seed_tenants(runner), at)
    finally:
        jobs.app.close()
    return SeedReport(tuple(pools), tuple(created), tuple(tenants))


def seed_tenants(runner: RunnerSettings) -> dict[str, tuple[TenantTerms, str]]:
    """The demo tenant (weight 1) and acme (weight 2), with their keys, by name."""
    return {
        runner.demo_tenant: (TenantTerms(weight=1.0), runner.demo_api_key),
        "acme": (TenantTerms(weight=2.0), runner.acme_api_key),
    }


def _register_tenants(
    app: JobsApplication, tenants: Mapping[str, tuple[TenantTerms, str]], at: datetime
) -> list[str]:
    """Register each tenant that does not exist, with its key; the tenant ids registered."""
    registered = []
    for name, (terms, key) in tenants.items():
        try:
            made = app.register_tenant(name, terms, at=at, api_key=key)
        except TenantExists:
            continue
        registered.append(made.tenant.tenant_id)
    return registered


def _create_job_profiles(
    app: JobsApplication, profiles: Mapping[str, ProfileTerms], at: datetime
) -> list[str]:
    """Create each profile that does not exist; the names created."""
    created = []
    for name, terms in profiles.items():
        try:
            app.create_profile(name, terms, at=at)
        except ProfileExists:
            continue
        created.append(name)
    return created
