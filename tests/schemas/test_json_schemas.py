"""The generated draft-04 schemas: up to date, valid draft-04, and agreeing with the models."""

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator

from events.schemas import EVENT_TYPES, IntegrationEvent, to_envelope
from events.schemas.draft4 import Draft4ConversionError, to_draft4
from events.schemas.generate import JSON_DIR, main, render, stale_files
from tests.schemas.strategies import SLOW_MACHINE_SAFE, events_of

DRAFT_2020_ONLY = ("$defs", "prefixItems", "const", "propertyNames", "dependentRequired")


def committed(model: type[IntegrationEvent]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((JSON_DIR / f"{model.detail_type}.json").read_text())
    return loaded


def keys_anywhere(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node).union(*(keys_anywhere(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(keys_anywhere(value) for value in node))
    return set()


def test_the_committed_schema_files_are_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["--check"])
    assert status == 0, "stale schema files: " + capsys.readouterr().err


def test_given_a_changed_missing_and_stray_file_then_check_lists_them_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--dir", str(tmp_path)]) == 0
    (tmp_path / "JobSubmitted.json").write_text("{}\n")
    (tmp_path / "JobFailed.json").unlink()
    (tmp_path / "Gone.json").write_text("{}\n")
    assert main(["--check", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert all(name in err for name in ("JobSubmitted.json", "JobFailed.json", "Gone.json"))
    assert main(["--dir", str(tmp_path)]) == 0
    assert stale_files(tmp_path) == []
    assert not (tmp_path / "Gone.json").exists()


@pytest.mark.parametrize("model", EVENT_TYPES, ids=lambda model: model.__name__)
def test_each_schema_is_a_valid_draft4_envelope_schema(model: type[IntegrationEvent]) -> None:
    schema = committed(model)
    Draft4Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert schema["x-amazon-events-detail-type"] == model.detail_type
    assert schema["x-amazon-events-source"] == model.source
    assert schema["properties"]["detail"] == {"$ref": f"#/definitions/{model.detail_type}"}
    assert not keys_anywhere(schema).intersection(DRAFT_2020_ONLY)


@pytest.mark.parametrize("model", EVENT_TYPES, ids=lambda model: model.__name__)
def test_each_schema_file_is_rendered_deterministically(model: type[IntegrationEvent]) -> None:
    text = render(model)
    assert text == render(model)
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


@settings(SLOW_MACHINE_SAFE, max_examples=150)
@given(event=st.one_of([events_of(model) for model in EVENT_TYPES]))
def test_given_any_event_in_its_envelope_then_its_schema_accepts_it(
    event: IntegrationEvent,
) -> None:
    validator = Draft4Validator(committed(type(event)))
    errors = [error.message for error in validator.iter_errors(to_envelope(event, account=None))]
    assert errors == []


@settings(SLOW_MACHINE_SAFE, max_examples=60)
@given(event=st.one_of([events_of(model) for model in EVENT_TYPES]))
def test_given_an_unknown_detail_field_then_its_schema_rejects_it(event: IntegrationEvent) -> None:
    envelope = to_envelope(event)
    envelope["detail"]["colour"] = "blue"
    assert not Draft4Validator(committed(type(event))).is_valid(envelope)


def test_const_becomes_a_one_value_enum() -> None:
    assert to_draft4({"const": 1, "type": "integer"}) == {"enum": [1], "type": "integer"}


def test_defs_and_their_refs_move_to_definitions() -> None:
    schema = {"$defs": {"A": {"type": "string"}}, "properties": {"a": {"$ref": "#/$defs/A"}}}
    assert to_draft4(schema) == {
        "definitions": {"A": {"type": "string"}},
        "properties": {"a": {"$ref": "#/definitions/A"}},
    }


def test_an_optional_scalar_becomes_a_type_list_and_an_optional_enum_gains_null() -> None:
    text = {"anyOf": [{"type": "string", "minLength": 1}, {"type": "null"}], "default": None}
    assert to_draft4(text) == {"type": ["string", "null"], "minLength": 1, "default": None}
    choice = {"anyOf": [{"type": "string", "enum": ["a", "b"]}, {"type": "null"}]}
    assert to_draft4(choice) == {"type": ["string", "null"], "enum": ["a", "b", None]}


def test_an_optional_reference_stays_an_any_of() -> None:
    schema = {"anyOf": [{"$ref": "#/$defs/A"}, {"type": "null"}]}
    assert to_draft4(schema) == {"anyOf": [{"$ref": "#/definitions/A"}, {"type": "null"}]}


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"exclusiveMinimum": 0}, {"minimum": 0, "exclusiveMinimum": True}),
        ({"exclusiveMaximum": 9}, {"maximum": 9, "exclusiveMaximum": True}),
        ({"exclusiveMinimum": 0, "minimum": 0}, {"minimum": 0, "exclusiveMinimum": True}),
        ({"exclusiveMinimum": 0, "minimum": 5}, {"minimum": 5}),
        ({"exclusiveMaximum": 9, "maximum": 3}, {"maximum": 3}),
    ],
)
def test_numeric_exclusive_bounds_become_boolean_flags(
    schema: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert to_draft4(schema) == expected


def test_prefix_items_become_a_tuple_items_list() -> None:
    schema = {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]}
    assert to_draft4({**schema, "items": False}) == {
        "type": "array",
        "items": [{"type": "string"}, {"type": "integer"}],
        "additionalItems": False,
    }


@pytest.mark.parametrize("keyword", ["propertyNames", "if", "dependentRequired"])
def test_given_a_keyword_draft4_cannot_express_then_conversion_fails_loudly(keyword: str) -> None:
    with pytest.raises(Draft4ConversionError, match=keyword):
        to_draft4({"properties": {"a": {keyword: {}}}})


def test_given_a_ref_outside_the_document_then_conversion_fails_loudly() -> None:
    with pytest.raises(Draft4ConversionError, match=r"other\.json"):
        to_draft4({"$ref": "other.json#/x"})
