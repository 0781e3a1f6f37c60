"""What the conformance run found: requests the job service's document allowed and the API
refused. The document now says so; each case here failed against the old document."""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from job_service.api.openapi import document
from tests.job_service.api_support import PROFILE, ApiWorld, job_body


def _submit_operation() -> dict[str, Any]:
    operation: dict[str, Any] = document()["paths"]["/jobs"]["post"]
    return operation


def _body_schema() -> dict[str, Any]:
    ref = _submit_operation()["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema: dict[str, Any] = document()["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return schema


def test_a_parameter_name_off_the_pattern_breaks_the_document_and_is_refused() -> None:
    body = job_body(parameters={"date": "2024-01-01", "": 1})
    schema = _body_schema()
    assert schema["properties"]["parameters"]["additionalProperties"] is False
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(body))
    assert errors, "the document must refuse a parameter name off its pattern"
    with ApiWorld() as world:
        world.create_profile()
        before = world.stored()
        reply = world.submit(**body)
        assert reply.status == 400 and reply.error["field"].startswith("parameters")
        assert world.stored() == before


def test_an_idempotency_key_with_a_space_breaks_the_document_and_is_refused() -> None:
    (header,) = [p for p in _submit_operation()["parameters"] if p["name"] == "Idempotency-Key"]
    validator = jsonschema.Draft202012Validator(header["schema"])
    assert not validator.is_valid("two words")
    assert not validator.is_valid("")
    assert validator.is_valid("2f6c1c1e-5e1f-4a43-9a54-0d9d3c0e1c11")
    with ApiWorld() as world:
        world.create_profile()
        before = world.stored()
        reply = world.submit(headers={"Idempotency-Key": "two words"}, profile=PROFILE)
        assert reply.status == 400, json.dumps(reply.body)
        assert reply.error["field"] == "Idempotency-Key"
        assert world.stored() == before
