"""The domain imports no AWS, web framework, environment or clock: time is always an argument.
Nor anything of the service outside it (application, adapters) or of the backbone."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bench.pool import pool_benchmark

SERVICE = Path(__file__).resolve().parents[3] / "services" / "cluster_service"
DOMAIN = SERVICE / "domain"
ALLOWED = {
    "__future__",
    "collections",
    "dataclasses",
    "datetime",
    "enum",
    "functools",
    "heapq",
    "math",
    "re",
    "typing",
    "uuid",
    "zoneinfo",
    "eventsourcing",
    "cluster_service",
}
EVENTSOURCING = {"eventsourcing.domain", "eventsourcing.utils"}
"""Aggregates, and `register_topic` for the old topics of moved ones."""
CLOCK_OR_CHANCE = {"now", "utcnow", "today", "time", "uuid1", "uuid4", "environ", "getenv"}


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
    assert {m for m in imported if m.startswith("eventsourcing")} <= EVENTSOURCING
    ours = {m for m in imported if m.startswith("cluster_service")}
    assert all(m.startswith("cluster_service.domain.") for m in ours), ours
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
    assert {m for m in imported if m.startswith("cluster_service.adapters")} == set()


def test_adapters_import_only_the_ports_of_the_application() -> None:
    for module in (SERVICE / "adapters").glob("*.py"):
        imported = _imports(ast.parse(module.read_text()))
        ours = {m for m in imported if m.startswith("cluster_service.application")}
        assert ours <= {"cluster_service.application.ports"}, module.name


def test_the_pool_benchmark_runs() -> None:
    assert pool_benchmark(clusters=50, seconds=0.05) > 0
