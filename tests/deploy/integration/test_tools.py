"""`sam validate --lint`, `sam build` (no Docker) and checkov on the templates.

Each tool runs from its own virtual environment (.venv-sam, .venv-checkov); the first test to
need one creates them (`make deploy-tools`). Nothing reaches AWS: the credentials are dummies.
cfn-lint checks the SAM templates through `sam validate --lint`, the shared and registry
templates in test_shared_template.py, the EMR cluster template in tests/cluster_service/.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.templates import (
    ALL_TEMPLATES,
    CHECKOV_VENV,
    REGION,
    ROOT,
    SAM_VENV,
    SERVICES,
    of_type,
    run_tool,
    service_template,
    template,
)

SAM_TEMPLATES = [service_template(s) for s in SERVICES]
# Packaged with each service: its data files (anything but Python, which is imported anyway).
NOT_PACKAGED = {"template.yaml", "requirements.txt"}


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", ALL_TEMPLATES, ids=_relative)
def test_every_ignored_cfn_lint_rule_says_why(path: Path) -> None:
    lines = path.read_text().splitlines()
    for number, line in enumerate(lines):
        if "ignore_checks" in line:
            for rule in re.findall(r"[EWI]\d{4}", line):
                reasons = [x for x in lines[max(0, number - 3) : number] if f"# {rule}:" in x]
                assert reasons, f"{path.name}:{number + 1}: say why {rule} is ignored"


@pytest.fixture(scope="module")
def validated() -> dict[Path, subprocess.CompletedProcess[str]]:
    """`sam validate --lint` of each service template, run side by side."""
    commands = {
        path: ["sam", "validate", "--lint", "--template-file", _relative(path), "--region", REGION]
        for path in SAM_TEMPLATES
    }
    with ThreadPoolExecutor(len(commands)) as pool:
        running = {path: pool.submit(run_tool, SAM_VENV, *c) for path, c in commands.items()}
        return {path: future.result() for path, future in running.items()}


@pytest.mark.parametrize("path", SAM_TEMPLATES, ids=_relative)
def test_sam_validate_lint_passes_so_cfn_lint_finds_no_error_or_warning(
    path: Path, validated: dict[Path, subprocess.CompletedProcess[str]]
) -> None:
    # --lint: cfn-lint with the SAM translator; any error or warning fails it.
    done = validated[path]
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`sam build` of each service (no Docker, no AWS) into a temporary folder."""
    out = {}
    for service in SERVICES:
        build_dir = tmp_path_factory.mktemp("sam") / service
        template = _relative(service_template(service))
        done = run_tool(
            SAM_VENV, "sam", "build", "--template-file", template, "--build-dir", str(build_dir)
        )
        assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
        out[service] = build_dir
    return out


@pytest.mark.parametrize("service", SERVICES)
def test_sam_build_packages_every_function_with_the_shared_code_and_the_data_files(
    service: str, built: dict[str, Path]
) -> None:
    functions = [p for p in built[service].iterdir() if p.name.endswith("Function")]
    declared = of_type(template(service), "AWS::Serverless::Function")
    assert sorted(p.name for p in functions) == sorted(declared)
    source = ROOT / "services" / service
    data = {
        p.relative_to(source.parent)
        for p in source.rglob("*")
        if p.is_file()
        and p.suffix != ".py"
        and "__pycache__" not in p.parts
        and ".chalice" not in p.parts
        and p.name not in NOT_PACKAGED
    }
    assert data, "a service with no data files?"
    for function in functions:
        for package in ("backbone", "events", service):
            assert (function / package / "__init__.py").is_file()
        assert [d for d in data if not (function / d).is_file()] == []


@pytest.mark.parametrize("service", SERVICES)
def test_the_built_package_imports_with_only_its_layer_and_the_standard_library(
    service: str, built: dict[str, Path]
) -> None:
    function = built[service] / f"{service.split('_')[0].capitalize()}ApiFunction"
    layer = built[service] / "DependenciesLayer" / "python"
    code = (
        f"import sys; sys.path[:0] = [{str(function)!r}, {str(layer)!r}]\n"
        f"import {service}.app, {service}.functions\n"
        f"assert {service}.app.app.routes\n"
    )
    # -I -S: no site-packages, no PYTHONPATH, no current directory: only the package and layer.
    command = [sys.executable, "-I", "-S", "-c", code]
    done = subprocess.run(command, capture_output=True, text=True, cwd="/")
    assert done.returncode == 0, done.stderr


def _locked(path: Path) -> dict[str, str]:
    """A lock's `name==version` pins (names normalised), leaving out hashes and comments."""
    found = re.findall(
        r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(\S+)", path.read_text(), re.M
    )
    return {re.sub(r"[-_.]+", "-", name).lower(): pinned for name, pinned in found}


def test_the_layer_pins_the_repositorys_requirements_at_the_installed_versions() -> None:
    from importlib.metadata import version

    layer = _locked(ROOT / "deploy" / "lambda" / "requirements.txt")
    runtime = _locked(ROOT / "requirements.txt")
    assert runtime.items() <= layer.items()
    assert set(layer) - set(runtime) == {"chalice"}
    assert {name: version(name) for name in layer} == layer


# Each written by `make lock` from the .in file beside it.
LOCKS = [
    "requirements.txt",
    "requirements-dev.txt",
    "deploy/lambda/requirements.txt",
    "deploy/requirements-sam.txt",
    "deploy/requirements-checkov.txt",
]


@pytest.mark.parametrize("lock", LOCKS)
def test_every_lock_pins_each_package_with_its_hashes(lock: str) -> None:
    # Each package line, its --hash lines and its "# via" comments form one block.
    text = (ROOT / lock).read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2].strip())
    assert blocks
    unhashed = [b.split()[0] for b in blocks if "==" not in b or "--hash=sha256:" not in b]
    assert unhashed == []


def test_the_runtime_lock_agrees_with_the_development_lock() -> None:
    dev = _locked(ROOT / "requirements-dev.txt")
    runtime = _locked(ROOT / "requirements.txt")
    assert {name: dev.get(name) for name in runtime} == runtime


@pytest.mark.parametrize("lock", LOCKS)
def test_each_lock_holds_the_direct_pins_of_its_in_file(lock: str) -> None:
    pinned = _locked((ROOT / lock).with_suffix(".in"))
    assert pinned, "an .in file with no pins?"
    assert pinned.items() <= _locked(ROOT / lock).items(), "run make lock"


@pytest.fixture(scope="module")
def checkov_failures() -> dict[str, list[str]]:
    """checkov (from .venv-checkov) on every template, once; failed checks by file."""
    args = [a for p in ALL_TEMPLATES for a in ("-f", _relative(p))]
    done = run_tool(
        CHECKOV_VENV,
        "checkov",
        *args,
        "--framework",
        "cloudformation",
        "--skip-download",
        "--quiet",
        "--output",
        "json",
    )
    assert done.stdout.strip(), done.stderr
    report: Any = json.loads(done.stdout)
    found: dict[str, list[str]] = defaultdict(list)
    for result in report if isinstance(report, list) else [report]:
        for check in result.get("results", {}).get("failed_checks", []):
            found[check["file_path"].lstrip("/")].append(
                f"{check['check_id']} {check['resource']}: {check['check_name']}"
            )
    return found


@pytest.mark.parametrize("path", ALL_TEMPLATES, ids=_relative)
def test_checkov_fails_no_check(path: Path, checkov_failures: dict[str, list[str]]) -> None:
    assert checkov_failures.get(_relative(path), []) == []


@pytest.mark.parametrize("path", ALL_TEMPLATES, ids=_relative)
def test_every_skipped_checkov_check_says_why(path: Path) -> None:
    text = path.read_text()
    skips = re.findall(r"- id: (CKV_\w+)\n\s+comment: (.*)", text)
    assert len(skips) == text.count("- id: CKV_")
    assert all(len(reason.strip()) > 20 for _, reason in skips)
