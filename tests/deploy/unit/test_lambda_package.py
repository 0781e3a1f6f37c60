"""What deploy/lambda/Makefile copies whole into every function (backbone/, events/) holds
nothing local-only and imports no service: local stand-ins live in local_runtime/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SHARED = ("backbone", "events")
FORBIDDEN = ("local_runtime", "job_service", "cluster_service", "monitor_service", "moto", "tests")


def imported(path: Path) -> set[str]:
    """The top-level packages a module imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", SHARED)
def test_the_shared_packages_import_no_service_and_nothing_local(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported(path) & set(FORBIDDEN))
        for path in sorted((ROOT / package).rglob("*.py"))
        if imported(path) & set(FORBIDDEN)
    }
    assert offenders == {}


def test_the_local_stand_ins_are_not_in_the_backbone() -> None:
    names = {path.name for path in (ROOT / "backbone").rglob("*.py")}
    assert not names & {"stream_poller.py", "sqs_poller.py", "positions.py"}
