"""events/schemas is the ground floor: it imports the standard library, pydantic and itself only."""

import ast
import sys
from pathlib import Path

import events.schemas

PACKAGE_DIR = Path(events.schemas.__file__).parent
ALLOWED_THIRD_PARTY = {"pydantic"}


def imported_roots(path: Path) -> set[str]:
    """Top-level names of the modules a file imports (absolute ones, and 'events' for ours)."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module)
    return roots


def test_the_package_imports_only_the_standard_library_pydantic_and_itself() -> None:
    offending = {}
    for path in sorted(PACKAGE_DIR.glob("*.py")):
        bad = {
            name
            for name in imported_roots(path)
            if not name.startswith("events.schemas")
            and name.split(".")[0] not in sys.stdlib_module_names | ALLOWED_THIRD_PARTY
        }
        if bad:
            offending[path.name] = sorted(bad)
    assert offending == {}
