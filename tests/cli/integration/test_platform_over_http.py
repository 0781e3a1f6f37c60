"""jobctl's operator commands against the cluster service's Chalice app over HTTP, and the
job profiles and health commands."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.cli.support import Platform
from tests.monitor_service.api_support import busy_world


def test_pools_show_every_pool_or_one(platform: Platform) -> None:
    every = platform.run("--json", "pools")
    one = platform.run("pools", "show", "small", "--json")
    text = platform.run("pools")
    assert every.code == one.code == text.code == 0
    assert [p["profile"] for p in every.json()["pools"]] == ["small", "medium", "large"]
    assert one.json()["profile"] == "small"
    assert text.out.splitlines()[0].split()[:3] == ["PROFILE", "MIN", "MAX"]


def test_pools_set_changes_only_the_limits_given(platform: Platform) -> None:
    before = platform.run("--json", "pools", "show", "medium").json()
    result = platform.run("--json", "pools", "set", "medium", "--max", "7", "--idle-ttl", "120")
    assert result.code == 0, result.err
    pool = result.json()
    assert (pool["minimum"], pool["maximum"], pool["idle_ttl_seconds"]) == (
        before["minimum"],
        7,
        120,
    )
    assert platform.run("--json", "pools", "show", "medium").json()["maximum"] == 7


def test_refused_limits_name_the_field_and_exit_6(platform: Platform) -> None:
    result = platform.run("pools", "set", "small", "--min", "9", "--max", "3")
    assert result.code == 6
    assert "answered 400 invalid_thresholds" in result.err and "(field: minimum)" in result.err


def test_an_unknown_pool_is_not_found(platform: Platform) -> None:
    result = platform.run("--json", "pools", "set", "huge", "--max", "3")
    assert result.code == 3
    assert json.loads(result.err)["error"]["code"] == "profile_not_found"


def test_a_wrong_operator_key_is_refused(platform: Platform) -> None:
    result = platform.run("pools", "--operator-key", "not-an-operator-key")
    assert result.code == 4
    assert "the cluster service answered 401 unauthorized" in result.err


def test_the_tenant_key_is_not_an_operator_key(platform: Platform) -> None:
    result = platform.run("pools", JOBCTL_OPERATOR_KEY="local-demo-key")
    assert result.code == 4


def test_cluster_profiles_and_clusters_are_listed(platform: Platform) -> None:
    profiles = platform.run("--json", "cluster-profiles").json()["profiles"]
    assert [p["name"] for p in profiles] == ["small", "medium", "large"]
    clusters = platform.run("--json", "clusters", "--profile", "small").json()["clusters"]
    assert [c["state"] for c in clusters] == ["REQUESTED"]  # small keeps a minimum of one
    assert platform.run("clusters", "--state", "READY").out == "no clusters\n"


def test_job_profiles_are_listed_with_their_step_templates(platform: Platform) -> None:
    result = platform.run("profiles")
    rows = {line.split()[0]: line for line in result.out.splitlines()[1:]}
    assert set(rows) == {"fragile", "predicting", "scoring", "training"}
    assert "--sleep-seconds={duration}" in rows["scoring"]
    header = result.out.splitlines()[0]
    assert header.split()[-3:] == ["TENANTS", "PARAMETERS", "STEP"]
    assert rows["scoring"][header.index("TENANTS") :].split()[:2] == ["*", "none"]


def test_operators_manage_tenants_and_their_keys(platform: Platform) -> None:
    # Given a tenant registered with jobctl (its key shown once)
    made = platform.run("--json", "tenants", "create", "Acme Corp", "--weight", "2").json()
    assert (made["tenant_id"], made["weight"]) == ("acme-corp", 2)
    # When its quotas are set and a second key made, then the first revoked
    changed = platform.run("--json", "tenants", "set", "acme-corp", "--max-queued", "1").json()
    assert changed["quotas"]["max_queued"] == 1
    second = platform.run("--json", "tenants", "add-key", "acme-corp").json()
    revoked = platform.run("tenants", "revoke-key", "acme-corp", made["key_id"])
    assert revoked.code == 0 and second["key_id"] in revoked.out
    # Then the new key lists the tenant's jobs, the old one is refused
    assert platform.run("list", "--api-key", second["api_key"]).code == 0
    assert platform.run("list", "--api-key", made["api_key"]).code != 0
    listed = platform.run("tenants").out
    assert "acme-corp" in listed and "max_queued=1" in listed
    shown = platform.run("tenants", "show", "acme-corp").out
    assert second["key_id"] in shown and second["api_key"] not in shown
    # And a tenant's key is refused
    refused = platform.run("tenants", "list", "--operator-key", made["api_key"])
    assert refused.code != 0


def test_health_says_when_the_monitor_does_not_answer(platform: Platform) -> None:
    result = platform.run("health")
    assert result.code == 5
    assert "the monitor service does not answer" in result.err
    assert "its REST API may not exist yet" in result.err


def test_a_route_the_service_lacks_is_not_found(platform: Platform) -> None:
    # The job service stands in for a monitor without GET /health: its 404 for a path it has
    # not is reported as "not found"
    result = platform.run("health", "--monitor-url", platform.env["JOBCTL_JOB_URL"])
    assert result.code == 3
    assert "404 not_found: no route GET /health" in result.err


@pytest.fixture
def monitored() -> Iterator[Platform]:
    """The platform with a monitor that has followed a small platform for 15 minutes."""
    world, _ = busy_world(jobs=20, until=900)
    served = Platform.start(monitor=world)
    try:
        yield served
    finally:
        served.close()


def test_health_shows_the_services_and_clusters_the_monitor_knows(monitored: Platform) -> None:
    text = monitored.run("health")
    as_json = monitored.run("--json", "health")
    assert text.code == as_json.code == 0, text.err
    services = text.out.split("services:\n")[1].split("\n\n")[0].splitlines()
    assert services[0].split()[:3] == ["SERVICE", "STATE", "LAST_HEARTBEAT_AT"]
    assert services[1].split()[:2] == ["cluster-service", "healthy"]
    assert services[1].split()[-1] == "1"  # its instances, counted
    assert {s["service"] for s in as_json.json()["services"]} >= {"job-service"}
    assert "clusters:\nCLUSTER_ID" in text.out
