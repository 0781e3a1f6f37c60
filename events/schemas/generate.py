"""Write each integration event's JSON Schema as EventBridge's Schema Registry stores it (draft-04).

Run `python -m events.schemas.generate` to (re)write events/schemas/json/, and add `--check` to
only list the stale files (exit status 1 if there are any).
"""

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from events.schemas.base import IntegrationEvent
from events.schemas.draft4 import DRAFT4, Draft4ConversionError, to_draft4
from events.schemas.registry import EVENT_TYPES

JSON_DIR = Path(__file__).resolve().parent / "json"
REGISTRY_TEMPLATE = "registry.template.json"
_STRING = {"type": "string"}


def envelope_schema(model: type[IntegrationEvent]) -> dict[str, Any]:
    """The full EventBridge envelope schema whose `detail` is the model's own schema."""
    detail = to_draft4(model.model_json_schema())
    definitions = detail.pop("definitions", {})
    if model.detail_type in definitions:
        raise Draft4ConversionError(f"{model.detail_type} names a nested definition too")
    definitions[model.detail_type] = detail
    return {
        "$schema": DRAFT4,
        "title": model.detail_type,
        "description": f"{model.detail_type} v1 on the emr-control-plane bus.",
        "type": "object",
        "x-amazon-events-detail-type": model.detail_type,
        "x-amazon-events-source": model.source,
        "required": sorted(
            ["version", "id", "detail-type", "source", "time", "region", "resources", "detail"]
        ),
        "properties": {
            "account": _STRING,
            "detail": {"$ref": f"#/definitions/{model.detail_type}"},
            "detail-type": {"type": "string", "enum": [model.detail_type]},
            "id": _STRING,
            "region": _STRING,
            "resources": {"type": "array", "items": _STRING},
            "source": {"type": "string", "enum": list(model.sources())},
            "time": {"type": "string", "format": "date-time"},
            "version": _STRING,
        },
        "definitions": definitions,
    }


def render(model: type[IntegrationEvent]) -> str:
    """The schema file's exact text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(envelope_schema(model), indent=2, sort_keys=True) + "\n"


def registry_template() -> dict[str, Any]:
    """The Schema Registry holding every schema, as a template that template.yaml nests."""
    resources: dict[str, Any] = {
        "Registry": {
            "Type": "AWS::EventSchemas::Registry",
            "Properties": {
                "RegistryName": {"Ref": "RegistryName"},
                "Description": "Integration events of the EMR control plane",
            },
        }
    }
    for model in EVENT_TYPES:
        resources[f"Schema{model.detail_type}"] = {
            "Type": "AWS::EventSchemas::Schema",
            "Properties": {
                "RegistryName": {"Fn::GetAtt": ["Registry", "RegistryName"]},
                "SchemaName": f"emr-control-plane@{model.detail_type}",
                "Type": "JSONSchemaDraft4",
                "Content": render(model),
            },
        }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Schema Registry of the EMR control plane (generated: make schemas)",
        "Parameters": {"RegistryName": {"Type": "String", "Default": "emr-control-plane"}},
        "Resources": resources,
        "Outputs": {"RegistryArn": {"Value": {"Fn::GetAtt": ["Registry", "RegistryArn"]}}},
    }


def expected_files(directory: Path = JSON_DIR) -> dict[Path, str]:
    """Every file the generator owns (the schemas and the registry's template), with its text."""
    files = {directory / f"{model.detail_type}.json": render(model) for model in EVENT_TYPES}
    template = json.dumps(registry_template(), indent=2, sort_keys=True) + "\n"
    files[directory.parent / REGISTRY_TEMPLATE] = template
    return files


def stale_files(directory: Path = JSON_DIR) -> list[Path]:
    """Files that are missing, differ from the models, or belong to no event."""
    expected = expected_files(directory)
    stale = [path for path, text in expected.items() if _read(path) != text]
    strays = set(directory.glob("*.json")) - set(expected) if directory.is_dir() else set()
    return sorted([*stale, *strays])


def write(directory: Path = JSON_DIR) -> list[Path]:
    """Bring the directory up to date; returns the paths written or removed."""
    changed = stale_files(directory)
    directory.mkdir(parents=True, exist_ok=True)
    expected = expected_files(directory)
    for path in changed:
        if path in expected:
            path.write_text(expected[path], encoding="utf-8", newline="\n")
        else:
            path.unlink()
    return changed


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m events.schemas.generate")
    parser.add_argument("--check", action="store_true", help="only report stale files")
    parser.add_argument("--dir", type=Path, default=JSON_DIR, help="output directory")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files(args.dir)
        for path in stale:
            print(f"stale: {path}", file=sys.stderr)
        if stale:
            print("run: python -m events.schemas.generate", file=sys.stderr)
        return 1 if stale else 0
    for path in write(args.dir):
        print(f"wrote: {path}" if path.exists() else f"removed: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
