"""What the conformance runs found: requests a service's document allowed and the API refused
(or the reverse). The documents now say so; each case here failed against the old document."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import jsonschema
import pytest

from cluster_service.api.openapi import document as cluster_document
from job_service.api.openapi import document
from monitor_service.api.openapi import document as monitor_document
from tests.cluster_service.api_support import ApiWorld as ClusterWorld
from tests.cluster_service.api_support import profile_body as cluster_profile_body
from tests.job_service.api_support import (
    OPERATOR_KEY,
    PROFILE,
    ApiWorld,
    job_body,
    profile_body,
)
from tests.monitor_service.api_support import ApiWorld as MonitorWorld


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


def _component(service_document: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = service_document["components"]["schemas"][name]
    return schema


@pytest.mark.parametrize(
    ("arg", "valid"),
    [("--date={date}", True), ("{{literal}}", True), ("tab\there", True), ("bell\x07", False)],
)
def test_a_step_template_arg_off_emrs_alphabet_breaks_the_document_and_is_refused(
    arg: str, valid: bool
) -> None:
    args = _component(document(), "StepTemplateBody")["properties"]["args"]["items"]
    assert jsonschema.Draft202012Validator(args).is_valid(arg) is valid
    if valid:
        return
    with ApiWorld() as world:
        before = world.stored()
        reply = world.request(
            "POST",
            "/job-profiles",
            profile_body(step_template={"kind": "command", "args": [arg]}),
            key=OPERATOR_KEY,
        )
        assert reply.status == 400 and reply.error["field"] == "step_template", reply.body
        assert world.stored() == before


def test_a_profile_for_every_tenant_and_named_ones_breaks_the_document_and_is_refused() -> None:
    tenants = _component(document(), "CreateProfile")["properties"]["tenants"]
    validator = jsonschema.Draft202012Validator(tenants)
    assert validator.is_valid(["*"]) and validator.is_valid(["acme", "globex"])
    assert not validator.is_valid(["*", "acme"])
    with ApiWorld() as world:
        reply = world.request(
            "POST", "/job-profiles", profile_body(tenants=["*", "acme"]), key=OPERATOR_KEY
        )
        assert reply.status == 400 and reply.error["field"] == "tenants", reply.body


@pytest.mark.parametrize(
    ("as_of", "status"),
    [
        ("1969-12-31T23:00:00Z", 400),
        ("0107-01-19T00:34:54Z", 400),
        ("9999-01-01T00:00:00Z", 400),
        ("1970-01-01T00:30:00+01:00", 200),
        ("2000-01-01T00:00:00Z", 200),
    ],
)
def test_an_as_of_is_refused_exactly_when_the_document_refuses_it(as_of: str, status: int) -> None:
    (parameter,) = [
        p
        for p in monitor_document()["paths"]["/health"]["get"]["parameters"]
        if p["name"] == "as_of"
    ]
    schema = parameter["schema"]["anyOf"][0]
    assert jsonschema.Draft202012Validator(schema).is_valid(as_of) is (status == 200)
    with MonitorWorld() as monitor:
        reply = monitor.get(f"/health?as_of={quote(as_of)}")
    assert reply.status == status, reply.body


@pytest.mark.parametrize(
    "applications", [["Spark", "Spark"], ["Spark SQL"], ["9lives"], []], ids=repr
)
def test_cluster_applications_the_document_refuses_are_refused(applications: list[str]) -> None:
    shape = _component(cluster_document(), "ProfileShape")["properties"]["applications"]
    assert not jsonschema.Draft202012Validator(shape).is_valid(applications)
    assert jsonschema.Draft202012Validator(shape).is_valid(["Hadoop", "Spark"])
    with ClusterWorld() as cluster:
        cluster.create_profile()
        before = cluster.stored()
        body = {k: v for k, v in cluster_profile_body(applications=applications).items()}
        del body["name"], body["pool"]
        reply = cluster.request("PUT", "/cluster-profiles/spark-small", body)
        assert reply.status == 400, reply.body
        assert reply.error["field"].startswith("applications"), reply.body
        assert cluster.stored() == before


def test_a_cluster_profile_name_off_the_pattern_breaks_the_path_and_is_refused() -> None:
    (name,) = cluster_document()["paths"]["/cluster-profiles/{name}"]["put"]["parameters"]
    assert not jsonschema.Draft202012Validator(name["schema"]).is_valid("Spark_Small")
    with ClusterWorld() as cluster:
        body = cluster_profile_body()
        del body["name"], body["pool"]
        reply = cluster.request("PUT", "/cluster-profiles/Spark_Small", body)
        assert reply.status == 400 and reply.error["field"] == "name", reply.body
