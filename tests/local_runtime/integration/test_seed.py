"""Seeding the demo's profiles and pools through the services' use cases, idempotently."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backbone.eventstore.table import create_table
from cluster_service.bootstrap import ClusterServiceSettings
from cluster_service.bootstrap import bootstrap as bootstrap_cluster_service
from job_service.bootstrap import JobServiceSettings
from job_service.bootstrap import bootstrap as bootstrap_job_service
from local_runtime.emr_driver.settings import step_request
from local_runtime.emulator import Emulator, client
from local_runtime.seed import job_profiles, seed
from local_runtime.settings import LocalSettings, RunnerSettings

from .support import unique

pytestmark = pytest.mark.emulator

AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def tables(emulator: Emulator) -> LocalSettings:
    """Fresh event-store tables for the job and cluster services."""
    settings = LocalSettings(job_table=unique("jobs"), cluster_table=unique("clusters"))
    ddb = client("dynamodb", emulator.endpoint_url)
    for table in (settings.job_table, settings.cluster_table):
        create_table(ddb, table)
    return settings


def test_seeding_twice_registers_once_with_the_runner_thresholds(
    emulator: Emulator, tables: LocalSettings
) -> None:
    # Given pools of 0 to 4 clusters with a 45 s idle TTL (no cluster is started at minimum 0)
    runner = RunnerSettings(pool_minimum=0, pool_maximum=4, idle_ttl_seconds=45)
    # When the runner seeds twice
    first = seed(emulator.endpoint_url, tables, runner, AT)
    second = seed(emulator.endpoint_url, tables, runner, AT)
    # Then the first registered everything and the second nothing
    assert set(first.cluster_profiles) == {"small", "medium", "large"}
    assert set(first.job_profiles) == {"training", "scoring", "predicting"}
    assert (second.cluster_profiles, second.job_profiles, second.tenants) == ((), (), ())
    assert first.tenants == ("demo", "acme")
    # And the services see each profile once, mapped as the demo says, with the runner's limits
    jobs = bootstrap_job_service(JobServiceSettings(tables.job_table, emulator.endpoint_url))
    mapped = {p.name: p.terms.cluster_profile for p in jobs.app.list_profiles()}
    assert mapped == {"training": "large", "scoring": "small", "predicting": "medium"}
    weights = {t.tenant_id: t.terms.weight for t in jobs.app.list_tenants()}
    assert weights == {"acme": 2.0, "demo": 1.0}
    assert jobs.app.tenant_of_key("local-acme-key") == "acme"
    clusters = bootstrap_cluster_service(
        ClusterServiceSettings(tables.cluster_table, emulator.endpoint_url)
    )
    limits = {
        p.profile: (p.minimum, p.maximum, p.idle_ttl_seconds) for p in clusters.app.list_pools()
    }
    assert limits == dict.fromkeys(("small", "medium", "large"), (0, 4, 45))


@pytest.mark.parametrize("name", ["training", "scoring", "predicting"])
def test_a_profiles_step_runs_as_long_as_the_jobs_duration(name: str) -> None:
    terms = job_profiles()[name]
    values = {"dataset": "s3://d", "date": "2026-11-24", "input": "s3://i", "duration": 7}
    parameters = {key: values[key] for key in terms.step_template.placeholders}
    args = terms.step_template.render(parameters)
    assert step_request(args).seconds == 7
    assert step_request(args).exit_code == 0
