"""The domain imports no AWS, web framework, environment or clock: time is always an argument."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bench.pool import pool_benchmark

DOMAIN = Path(__file__).resolve().parents[2] / "services" / "cluster_service" / "domain"
ALLOWED = {
    "collections",
    "dataclasses",
    "datetime",
    "enum",
    "heapq",
    "math",
    "re",
    "typing",
    "uuid",
    "eventsourcing",
    "cluster_service",
}
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
    assert {m for m in imported if m.startswith("eventsourcing")} <= {"eventsourcing.domain"}
    names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert names & CLOCK_OR_CHANCE == set()


def test_the_pool_benchmark_runs() -> None:
    assert pool_benchmark(clusters=50, seconds=0.05) > 0
