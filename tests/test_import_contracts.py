"""The import rules (pyproject.toml, [tool.importlinter]): kept by the code, and able to fail.

`make lint` runs the same contracts with `lint-imports`; this test makes `make test` catch a broken
one too. The other tests break the rules on purpose, in a copy of the tree or in a tree of empty
packages of the same names, and check that lint-imports then fails on the right contract.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
SERVICES = ("job_service", "cluster_service", "monitor_service")
# Every module the contracts name, so a tree of empty packages satisfies them all.
SKELETON = [
    "events/schemas",
    "backbone",
    "local_runtime",
    "cli",
    "bench",
    "simulator",
    "tests",
    *(f"{service}/{layer}" for service in SERVICES for layer in ("domain", "application")),
    *(f"{service}/{layer}" for service in SERVICES for layer in ("adapters", "api")),
]

DOMAINS = "Domains import no AWS, Chalice, clock, environment or outer layer"
INDEPENDENT = "No service imports another service"
BOOTSTRAPS = "Only composition roots import a service's bootstrap"
APPLICATIONS = "A service's application imports none of its adapters, api, app or bootstrap"
ADAPTERS = "A service's adapters import of its application only the ports"
SCHEMAS = "events.schemas imports nothing of ours"
SHARED = "events and backbone import no service"
NO_LOCAL_RUNTIME = "Services import nothing of local_runtime, cli, bench, simulator or tests"
BENCH = "bench and simulator import nothing of tests"


def lint_imports(root: Path, *python_path: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports with root's pyproject.toml, finding our packages only under python_path."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, python_path))}
    command = [str(LINT_IMPORTS), "--no-cache"]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=120)


def broken(done: subprocess.CompletedProcess[str]) -> list[str]:
    """The names of the contracts a run reports broken."""
    lines = done.stdout.splitlines()
    return [line.removesuffix(" BROKEN") for line in lines if line.endswith(" BROKEN")]


def test_the_code_keeps_every_import_contract() -> None:
    done = lint_imports(ROOT, ROOT, ROOT / "services")
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "BROKEN" not in done.stdout


@pytest.fixture
def skeleton(tmp_path: Path) -> Path:
    """Empty packages with the names the contracts use, and the repository's contracts."""
    for package in SKELETON:
        for part in range(1, len(Path(package).parts) + 1):
            folder = tmp_path.joinpath(*Path(package).parts[:part])
            folder.mkdir(exist_ok=True)
            (folder / "__init__.py").touch()
    for service in SERVICES:
        (tmp_path / service / "bootstrap.py").touch()
        (tmp_path / service / "app.py").touch()
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_a_tree_that_keeps_the_rules_passes(skeleton: Path) -> None:
    done = lint_imports(skeleton, skeleton)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("module", "code", "contract"),
    [
        ("job_service/domain/aws.py", "import boto3", DOMAINS),
        ("job_service/domain/aws.py", "from botocore.exceptions import ClientError", DOMAINS),
        ("monitor_service/domain/web.py", "from chalice import Response", DOMAINS),
        ("cluster_service/domain/env.py", "import os", DOMAINS),
        ("cluster_service/domain/clock.py", "from time import monotonic", DOMAINS),
        ("job_service/domain/store.py", "from backbone import eventstore", DOMAINS),
        ("job_service/domain/use.py", "from job_service.application import x", DOMAINS),
        ("cluster_service/domain/out.py", "import cluster_service.adapters", DOMAINS),
        ("job_service/application/pool.py", "import cluster_service.domain", INDEPENDENT),
        ("monitor_service/adapters/jobs.py", "from job_service import api", INDEPENDENT),
        ("backbone/root.py", "from job_service.bootstrap import bootstrap", BOOTSTRAPS),
        ("job_service/application/root.py", "from job_service import bootstrap", BOOTSTRAPS),
        (
            "cluster_service/application/aws.py",
            "from cluster_service import adapters",
            APPLICATIONS,
        ),
        ("job_service/application/routes.py", "import job_service.api", APPLICATIONS),
        ("monitor_service/application/chalice.py", "from monitor_service import app", APPLICATIONS),
        ("monitor_service/application/root.py", "import monitor_service.bootstrap", APPLICATIONS),
        ("cluster_service/adapters/use.py", "from cluster_service.application import x", ADAPTERS),
        ("events/schemas/base.py", "import backbone", SCHEMAS),
        ("events/schemas/jobs.py", "from job_service.domain import Job", SCHEMAS),
        ("backbone/jobs.py", "import job_service.domain", SHARED),
        ("cluster_service/adapters/emr.py", "from local_runtime import emulator", NO_LOCAL_RUNTIME),
        ("job_service/application/sim.py", "import simulator", NO_LOCAL_RUNTIME),
        ("bench/world.py", "from tests.support import helper", BENCH),
        ("simulator/world.py", "from tests.support import helper", BENCH),
    ],
)
def test_breaking_a_rule_fails_on_its_contract(
    skeleton: Path, module: str, code: str, contract: str
) -> None:
    (skeleton / module).write_text(code + "\n")
    done = lint_imports(skeleton, skeleton)
    assert done.returncode != 0
    assert contract in broken(done), done.stdout


def test_adapters_may_import_their_applications_ports(skeleton: Path) -> None:
    (skeleton / "job_service" / "application" / "ports.py").write_text("class StepRunner: ...\n")
    (skeleton / "job_service" / "adapters" / "emr.py").write_text(
        "from job_service.application.ports import StepRunner\n"
    )
    done = lint_imports(skeleton, skeleton)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_domain_of_the_real_tree_importing_boto3_or_another_service_fails(
    tmp_path: Path,
) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.json", "*.yaml", "vendor")
    packages = (
        "events",
        "backbone",
        "local_runtime",
        "cli",
        "bench",
        "simulator",
        "tests",
        "services",
    )
    for package in packages:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    job = tmp_path / "services" / "job_service" / "domain" / "job.py"
    job.write_text(job.read_text() + "\nimport boto3\nimport cluster_service.domain\n")
    done = lint_imports(tmp_path, tmp_path, tmp_path / "services")
    assert done.returncode != 0
    assert {DOMAINS, INDEPENDENT} <= set(broken(done)), done.stdout
