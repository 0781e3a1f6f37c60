"""Settings from the environment, and what bootstrap wires together (no I/O at import)."""

from __future__ import annotations

import pytest

from cluster_service.adapters import CloudFormationProvisioner, EmrInspector, SsmThresholds
from cluster_service.bootstrap import ClusterServiceSettings, SettingsError, bootstrap
from cluster_service.subscriptions import DEFINITION as CLUSTER_SERVICE
from local_runtime.patterns import detail_types

MEMORY = "backbone.eventstore.memory"


def test_settings_are_read_from_the_environment() -> None:
    settings = ClusterServiceSettings.from_env(
        {
            "CLUSTER_SERVICE_TABLE": "clusters",
            "AWS_ENDPOINT_URL": "http://localhost:5000",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "RECONCILE_AFTER_SECONDS": "120",
            "THRESHOLDS_SSM_PREFIX": "/emrcp/pools/",
            "DELETE_ORPHANS": "yes",
        }
    )
    assert (settings.table_name, settings.region) == ("clusters", "eu-west-1")
    assert settings.reconcile_after_seconds == 120
    assert settings.thresholds_ssm_prefix == "emrcp/pools"
    assert settings.delete_orphans and not settings.seed_profiles and not settings.create_table
    assert settings.store_env()["DYNAMODB_ENDPOINT_URL"] == "http://localhost:5000"


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"CLUSTER_SERVICE_TABLE": "t", "TICK_INTERVAL_SECONDS": "soon"},
        {"CLUSTER_SERVICE_TABLE": "t", "RECONCILE_AFTER_SECONDS": "0"},
    ],
    ids=["no table", "not a number", "zero"],
)
def test_unusable_settings_say_what_to_fix(environ: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match=r"CLUSTER_SERVICE_TABLE|SECONDS"):
        ClusterServiceSettings.from_env(environ)


def test_the_in_memory_store_needs_no_table() -> None:
    settings = ClusterServiceSettings.from_env({"PERSISTENCE_MODULE": MEMORY})
    assert settings.table_name == "" and "DYNAMODB_TABLE" not in settings.store_env()


def test_bootstrap_wires_aws_adapters_and_a_consumer_for_every_subscribed_event() -> None:
    settings = ClusterServiceSettings(persistence_module=MEMORY, thresholds_ssm_prefix="emrcp")
    service = bootstrap(settings)
    assert isinstance(service.provisioner, CloudFormationProvisioner)
    assert isinstance(service.inspector, EmrInspector)
    assert isinstance(service.thresholds, SsmThresholds)
    assert service.consumer.detail_types == detail_types(CLUSTER_SERVICE)
    assert service.app.list_pools() == [], "nothing seeded unless asked"
