"""The domain imports no AWS, backbone, environment or clock; the application imports no adapter;
the benchmarks run (small)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bench.monitor import metrics_query_benchmark, replay_benchmark

SERVICE = Path(__file__).resolve().parents[3] / "services" / "monitor_service"
DOMAIN = SERVICE / "domain"
ALLOWED = {
    "__future__",
    "bisect",
    "collections",
    "dataclasses",
    "datetime",
    "json",
    "operator",
    "typing",
    "uuid",
    "eventsourcing",
    "monitor_service",
}
CLOCK_OR_CHANCE = {"now", "utcnow", "today", "time", "uuid1", "uuid4", "environ", "getenv", "open"}


def _imports(tree: ast.Module) -> set[str]:
    modules = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
    return modules


@pytest.mark.parametrize("module", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_a_domain_module_imports_only_the_standard_library_and_eventsourcing(module: Path) -> None:
    tree = ast.parse(module.read_text())
    imported = _imports(tree)
    assert {m.split(".")[0] for m in imported} <= ALLOWED
    assert {m for m in imported if m.startswith("eventsourcing")} <= {"eventsourcing.domain"}
    assert {m for m in imported if m.startswith("monitor_service")} <= {
        m for m in imported if m.startswith("monitor_service.domain")
    }
    names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert names & CLOCK_OR_CHANCE == set()


@pytest.mark.parametrize(
    "module", sorted((SERVICE / "application").glob("*.py")), ids=lambda p: p.name
)
def test_the_application_imports_no_adapter_aws_sdk_or_web_framework(module: Path) -> None:
    """Adapters import the ports they implement (application.ports), never the other way."""
    imported = _imports(ast.parse(module.read_text()))
    assert {m.split(".")[0] for m in imported} & {"boto3", "botocore", "chalice"} == set()
    assert {m for m in imported if m.startswith("monitor_service.adapters")} == set()


def test_adapters_import_only_the_ports_of_the_application() -> None:
    for module in (SERVICE / "adapters").glob("*.py"):
        imported = _imports(ast.parse(module.read_text()))
        ours = {m for m in imported if m.startswith("monitor_service.application")}
        assert ours <= {"monitor_service.application.ports"}, module.name


def test_the_benchmarks_run() -> None:
    assert replay_benchmark(events=500) > 0
    assert metrics_query_benchmark(events=500) > 0
