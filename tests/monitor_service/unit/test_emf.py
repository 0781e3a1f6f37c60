"""On every Tick the metrics go out as CloudWatch Embedded Metric Format documents."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from monitor_service.adapters.emf import EmfMetricsPublisher, unit_of
from monitor_service.application.exposition import samples_of
from monitor_service.application.ports import DiscardMetrics, Sample
from monitor_service.bootstrap import MonitorServiceSettings, SettingsError, metrics_publisher
from tests.monitor_service import support as s

NOW = datetime.now(UTC).replace(microsecond=0)
"""EMF timestamps must be recent for CloudWatch to take them (14 days back at most)."""


def _figures(documents: list[dict[str, Any]]) -> dict[tuple[str, tuple[tuple[str, str], ...]], Any]:
    """(metric, dimensions) -> value, checking each document's EMF metadata on the way."""
    found = {}
    for document in documents:
        (directive,) = document["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == "EmrControlPlane"
        assert document["_aws"]["Timestamp"] == int(NOW.timestamp() * 1000)
        (dimension_names,) = directive["Dimensions"]
        dimensions = tuple((name, document[name]) for name in dimension_names)
        for metric in directive["Metrics"]:
            found[(metric["Name"], dimensions)] = document[metric["Name"]]
    return found


class Recorder:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, line: str) -> None:
        self.lines.append(line)

    def documents(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]


def test_a_tick_writes_the_figures_of_the_metrics_report_as_emf() -> None:
    # Given a monitor on today's clock, publishing EMF, that saw two jobs wait 10 minutes
    written = Recorder()
    world = s.World(metrics=EmfMetricsPublisher(write=written))
    world.now = NOW
    ten_minutes_ago = (NOW - s.T0).total_seconds() - 600
    for job in ("a", "b"):
        world.deliver(s.submitted(job, ten_minutes_ago, tenant="acme", priority="high"))
    # When the Tick runs
    world.service.tick()
    # Then the EMF documents carry the same figures as GET /metrics, with their units
    figures = _figures(written.documents())
    labels = (("profile", "small"), ("priority", "high"), ("tenant", "acme"))
    assert figures[("emrcp_queue_depth", labels)] == [2.0]
    assert figures[("emrcp_sla_target_seconds", (("priority", "high"),))] == [300.0]
    assert figures[("emrcp_oldest_wait_seconds", (("priority", "high"),))] == [600.0]
    assert figures[("emrcp_service_up", (("service", "job-service"),))] == [0.0]
    report = world.app.metrics(NOW)
    assert len(figures) == len(samples_of(report))
    units = {
        m["Name"]: m["Unit"]
        for d in written.documents()
        for m in d["_aws"]["CloudWatchMetrics"][0]["Metrics"]
    }
    assert units["emrcp_queue_depth"] == "Count" and units["emrcp_oldest_wait_seconds"] == "Seconds"


def test_samples_sharing_labels_share_a_document_and_empty_labels_are_named() -> None:
    samples = [
        Sample("emrcp_a", (("profile", "small"),), 1),
        Sample("emrcp_b", (("profile", ""),), 2),
        Sample("emrcp_c", (("profile", "small"),), 3),
    ]
    documents = list(EmfMetricsPublisher().documents(samples, NOW))
    assert [(d["profile"], sorted(k for k in d if k.startswith("emrcp"))) for d in documents] == [
        ("none", ["emrcp_b"]),
        ("small", ["emrcp_a", "emrcp_c"]),
    ]


def test_a_label_set_with_more_figures_than_a_document_holds_is_split() -> None:
    samples = [Sample(f"emrcp_m{n}", (("profile", "p"),), n) for n in range(150)]
    documents = list(EmfMetricsPublisher().documents(samples, NOW))
    sizes = [len(d["_aws"]["CloudWatchMetrics"][0]["Metrics"]) for d in documents]
    assert sizes == [90, 60]


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("emrcp_job_wait_seconds_p95", "Seconds"),
        ("emrcp_job_wait_seconds_count", "Count"),
        ("emrcp_cluster_seconds_total", "Seconds"),
        ("emrcp_cost_dollars_total", "None"),
        ("emrcp_slot_utilization_ratio", "None"),
        ("emrcp_clusters", "Count"),
        ("emrcp_service_up", "None"),
    ],
)
def test_units(name: str, unit: str) -> None:
    assert unit_of(name) == unit


def test_emf_is_the_default_in_lambda_and_nothing_is_published_elsewhere() -> None:
    base = {"MONITOR_SERVICE_TABLE": "t"}
    in_lambda = MonitorServiceSettings.from_env(base | {"AWS_LAMBDA_FUNCTION_NAME": "monitor"})
    assert in_lambda.metrics_output == "emf"
    assert isinstance(metrics_publisher(in_lambda), EmfMetricsPublisher)
    assert isinstance(metrics_publisher(MonitorServiceSettings.from_env(base)), DiscardMetrics)
    logged = MonitorServiceSettings.from_env(base | {"METRICS_OUTPUT": "log"})
    assert isinstance(metrics_publisher(logged), EmfMetricsPublisher)
    with pytest.raises(SettingsError, match="METRICS_OUTPUT"):
        MonitorServiceSettings.from_env(base | {"METRICS_OUTPUT": "statsd"})
