"""Rewrite pydantic's draft 2020-12 schema as draft-04, the form EventBridge's registry uses."""

from typing import Any

from events.schemas.errors import EventSchemaError

DRAFT4 = "http://json-schema.org/draft-04/schema#"
DEFS_2020 = "#/$defs/"
DEFS_DRAFT4 = "#/definitions/"

_UNSUPPORTED = frozenset(
    {
        "$anchor",
        "$dynamicRef",
        "$dynamicAnchor",
        "$vocabulary",
        "contains",
        "minContains",
        "maxContains",
        "dependentRequired",
        "dependentSchemas",
        "unevaluatedItems",
        "unevaluatedProperties",
        "if",
        "then",
        "else",
        "propertyNames",
        "contentSchema",
    }
)
"""2020-12 keywords with no draft-04 rewrite here: meeting one is an error, not a silent loss."""


class Draft4ConversionError(EventSchemaError):
    """The schema uses a construct this converter cannot express in draft-04."""


def to_draft4(schema: Any) -> Any:
    """The draft-04 equivalent of a pydantic (2020-12) schema or sub-schema."""
    if isinstance(schema, list):
        return [to_draft4(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    unsupported = _UNSUPPORTED.intersection(schema)
    if unsupported:
        raise Draft4ConversionError(f"no draft-04 form for {sorted(unsupported)}")
    converted = {_key(key): _value(key, value) for key, value in schema.items()}
    converted = _const_to_enum(converted)
    converted = _exclusive_bounds(converted)
    converted = _prefix_items(converted)
    return _nullable(converted)


def _key(key: str) -> str:
    return "definitions" if key == "$defs" else key


def _value(key: str, value: Any) -> Any:
    if key == "$ref":
        return _ref(value)
    if key in ("properties", "$defs", "definitions", "patternProperties"):
        return {name: to_draft4(sub) for name, sub in value.items()}
    if key in ("enum", "default", "examples", "const"):
        return value
    return to_draft4(value)


def _ref(ref: str) -> str:
    if ref.startswith(DEFS_2020):
        return DEFS_DRAFT4 + ref.removeprefix(DEFS_2020)
    if ref.startswith(DEFS_DRAFT4) or ref == "#":
        return ref
    raise Draft4ConversionError(f"cannot rewrite $ref {ref!r}")


def _const_to_enum(schema: dict[str, Any]) -> dict[str, Any]:
    if "const" not in schema:
        return schema
    rest = {key: value for key, value in schema.items() if key != "const"}
    return {**rest, "enum": [schema["const"]]}


def _exclusive_bounds(schema: dict[str, Any]) -> dict[str, Any]:
    """Numeric exclusiveMinimum/Maximum become a bound plus a boolean; the stricter bound wins."""
    result = dict(schema)
    for exclusive, inclusive, stricter in (
        ("exclusiveMinimum", "minimum", max),
        ("exclusiveMaximum", "maximum", min),
    ):
        bound = result.get(exclusive)
        if isinstance(bound, bool) or bound is None:
            continue
        if inclusive in result and stricter(result[inclusive], bound) != bound:
            del result[exclusive]
            continue
        result[inclusive] = bound
        result[exclusive] = True
    return result


def _prefix_items(schema: dict[str, Any]) -> dict[str, Any]:
    if "prefixItems" not in schema:
        return schema
    rest = {key: value for key, value in schema.items() if key not in ("prefixItems", "items")}
    rest["items"] = schema["prefixItems"]
    if "items" in schema:
        rest["additionalItems"] = schema["items"]
    return rest


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """`anyOf: [X, {type: null}]` becomes X with "null" added to its type (and enum)."""
    branches = schema.get("anyOf")
    if not isinstance(branches, list) or len(branches) != 2 or {"type": "null"} not in branches:
        return schema
    (other,) = [branch for branch in branches if branch != {"type": "null"}]
    if not isinstance(other.get("type"), str) or "anyOf" in other or "$ref" in other:
        return schema
    merged = {key: value for key, value in schema.items() if key != "anyOf"}
    merged.update(other, type=[other["type"], "null"])
    if "enum" in other:
        merged["enum"] = [*other["enum"], None]
    return merged
