"""Each service's SAM template holds what its code needs: API paths, queues, table, functions."""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest

from backbone.eventstore import table_definition
from backbone.http.openapi import chalice_routes
from backbone.messaging.consumer import Consumer
from deploy import consumers
from local_runtime.patterns import detail_types
from tests.deploy.templates import SERVICES, of_type, template

# Public exactly where app.py serves without a principal: the OpenAPI documents, and the
# monitor's dashboard page and files (they hold no data; the page fetches with the key).
PUBLIC_ROUTES = {
    ("job_service", "/openapi.json", "GET"),
    ("cluster_service", "/openapi.json", "GET"),
    ("monitor_service", "/openapi.json", "GET"),
    ("monitor_service", "/dashboard", "GET"),
    ("monitor_service", "/dashboard/assets/{name}", "GET"),
}
TENANTS = {"UserPoolArn": {"Fn::ImportValue": {"Fn::Sub": "${SharedStackName}-TenantUserPoolArn"}}}
OPERATOR_KEYS = {
    "FunctionPayloadType": "REQUEST",
    "Identity": {"Headers": ["X-Api-Key"], "ReauthorizeEvery": 300},
}
# The job service's profile management is for operators: its own authorizer of operators' keys.
OPERATOR_ROUTES = {
    ("job_service", "/job-profiles", "POST"),
    ("job_service", "/job-profiles/{name}", "PUT"),
    ("job_service", "/job-profiles/{name}", "DELETE"),
    ("job_service", "/tenants", "POST"),
    ("job_service", "/tenants", "GET"),
    ("job_service", "/tenants/{tenant_id}", "GET"),
    ("job_service", "/tenants/{tenant_id}", "PATCH"),
    ("job_service", "/tenants/{tenant_id}/keys", "POST"),
    ("job_service", "/tenants/{tenant_id}/keys/{key_id}", "DELETE"),
}
JOB_OPERATOR_KEYS = {
    "FunctionArn": {"Fn::GetAtt": ["JobAuthorizerFunction", "Arn"]},
    **OPERATOR_KEYS,
}
AUTHORIZERS = {
    "job_service": ("Tenants", TENANTS),
    "cluster_service": (
        "OperatorKeys",
        {"FunctionArn": {"Fn::GetAtt": ["ClusterAuthorizerFunction", "Arn"]}, **OPERATOR_KEYS},
    ),
    "monitor_service": (
        "OperatorKeys",
        {"FunctionArn": {"Fn::GetAtt": ["MonitorAuthorizerFunction", "Arn"]}, **OPERATOR_KEYS},
    ),
}


def api_events(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(path, METHOD) → the Api event's properties, over every function of the template."""
    found = {}
    for function in of_type(doc, "AWS::Serverless::Function").values():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] == "Api":
                properties = event["Properties"]
                found[(properties["Path"], properties["Method"].upper())] = properties
    return found


def chalice_app(service: str) -> Any:
    return importlib.import_module(f"{service}.app").app


@pytest.mark.parametrize("service", SERVICES)
def test_every_chalice_route_has_exactly_its_api_path(service: str) -> None:
    assert set(api_events(template(service))) == chalice_routes(chalice_app(service))


@pytest.mark.parametrize("service", SERVICES)
def test_the_api_handler_is_the_chalice_app_and_no_path_is_a_proxy(service: str) -> None:
    doc = template(service)
    handlers = {
        f["Properties"]["Handler"]
        for f in of_type(doc, "AWS::Serverless::Function").values()
        if any(e["Type"] == "Api" for e in f["Properties"].get("Events", {}).values())
    }
    assert handlers == {f"{service}.app.app"}
    assert not [path for path, _ in api_events(doc) if "+}" in path]


@pytest.mark.parametrize("service", SERVICES)
def test_every_route_but_the_public_ones_needs_the_services_authorizer(service: str) -> None:
    doc = template(service)
    (api,) = of_type(doc, "AWS::Serverless::Api").values()
    auth = api["Properties"]["Auth"]
    name, authorizer = AUTHORIZERS[service]
    assert auth["DefaultAuthorizer"] == name
    operators = {"OperatorKeys": JOB_OPERATOR_KEYS} if service == "job_service" else {}
    assert auth["Authorizers"] == {name: authorizer} | operators
    for (path, method), properties in api_events(doc).items():
        public = properties.get("Auth") == {"Authorizer": "NONE"}
        assert public == ((service, path, method) in PUBLIC_ROUTES), (path, method)
        by_operators = properties.get("Auth") == {"Authorizer": "OperatorKeys"}
        expected = (service, path, method) in OPERATOR_ROUTES and service == "job_service"
        assert by_operators == expected, (path, method)
        assert set(properties.get("Auth", {})) <= {"Authorizer"}


@pytest.mark.parametrize("service", SERVICES)
def test_the_api_passes_on_the_binary_types_chalice_answers_with(service: str) -> None:
    (api,) = of_type(template(service), "AWS::Serverless::Api").values()
    declared = [t.replace("~1", "/") for t in api["Properties"]["BinaryMediaTypes"]]
    assert declared == chalice_app(service).api.binary_types


@pytest.mark.parametrize("service", SERVICES)
def test_the_consumer_resources_are_what_the_definition_renders(service: str) -> None:
    text = consumers.template_path(service).read_text()
    assert consumers.current_block(text, service) == consumers.block(
        consumers.DEFINITIONS[service]
    ), "stale: run `make templates`"


@pytest.mark.parametrize("service", SERVICES)
def test_every_consumed_event_has_a_rule_a_queue_and_a_dead_letter_queue(service: str) -> None:
    doc, definition = template(service), consumers.DEFINITIONS[service]
    consumed = _consumer_of(service).detail_types
    assert consumed <= detail_types(definition), "a handled event no rule routes"
    queues = of_type(doc, "AWS::SQS::Queue")
    by_name = {q["Properties"].get("QueueName"): k for k, q in queues.items()}
    queue = by_name[definition.queue_name]
    redrive = queues[queue]["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {
        "Fn::GetAtt": [by_name[definition.dead_letter_queue_name], "Arn"]
    }
    target = [{"Id": "queue", "Arn": {"Fn::GetAtt": [queue, "Arn"]}}]
    rules = of_type(doc, "AWS::Events::Rule").values()
    patterns = [
        r["Properties"]["EventPattern"] for r in rules if r["Properties"]["Targets"] == target
    ]
    assert patterns == [s.event_pattern for s in definition.subscriptions]
    (consumer,) = _functions_on(doc, "SQS")
    assert consumer["Events"]["Queue"]["Properties"]["Queue"] == {"Fn::GetAtt": [queue, "Arn"]}


def _consumer_of(service: str) -> Consumer:
    """The consumer the service's bootstrap builds, with its handlers (no AWS touched)."""
    handlers = importlib.import_module(f"{service}.application")
    names = {
        "job_service": "JobServiceHandlers",
        "cluster_service": "ClusterServiceHandlers",
        "monitor_service": "MonitorServiceHandlers",
    }
    cls = getattr(handlers, names[service])
    instance = cls.__new__(cls)  # by_detail_type only names bound methods
    return Consumer(instance.by_detail_type())


def _functions_on(doc: dict[str, Any], event_type: str) -> list[dict[str, Any]]:
    functions = of_type(doc, "AWS::Serverless::Function").values()
    return [
        f["Properties"]
        for f in functions
        if any(e["Type"] == event_type for e in f["Properties"].get("Events", {}).values())
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_queue_and_stream_handlers_report_batch_item_failures(service: str) -> None:
    doc = template(service)
    for kind in ("SQS", "DynamoDB"):
        (function,) = _functions_on(doc, kind)
        (event,) = function["Events"].values()
        assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


@pytest.mark.parametrize("service", SERVICES)
def test_the_consumer_finishes_within_its_queues_visibility_timeout(service: str) -> None:
    (consumer,) = _functions_on(template(service), "SQS")
    assert consumer["Timeout"] < consumers.DEFINITIONS[service].visibility_timeout


@pytest.mark.parametrize("service", SERVICES)
def test_the_relay_reads_the_event_store_stream_in_order_and_keeps_what_fails(
    service: str,
) -> None:
    doc = template(service)
    (relay,) = _functions_on(doc, "DynamoDB")
    properties = relay["Events"]["Stream"]["Properties"]
    assert properties["Stream"] == {"Fn::GetAtt": ["EventStore", "StreamArn"]}
    assert properties["ParallelizationFactor"] == 1
    failures = properties["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
    assert doc["Resources"][failures]["Type"] == "AWS::SQS::Queue"
    assert relay["Handler"] == f"{service}.functions.relay"


@pytest.mark.parametrize("service", SERVICES)
def test_the_event_store_table_has_backbones_keys_and_is_protected(service: str) -> None:
    table = template(service)["Resources"]["EventStore"]
    expected = table_definition("any")
    properties = table["Properties"]
    for key in ("AttributeDefinitions", "KeySchema", "BillingMode"):
        assert properties[key] == expected[key]
    assert properties["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"]["SSEEnabled"] is True
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"


@pytest.mark.parametrize("service", SERVICES)
def test_every_function_is_traced_logs_with_retention_and_names_a_real_handler(
    service: str,
) -> None:
    doc = template(service)
    assert doc["Globals"]["Function"]["Tracing"] == "Active"
    for logical_id, function in of_type(doc, "AWS::Serverless::Function").items():
        properties = function["Properties"]
        group = doc["Resources"][properties["LoggingConfig"]["LogGroup"]["Ref"]]
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        module, _, name = properties["Handler"].rpartition(".")
        assert callable(getattr(importlib.import_module(module), name)), logical_id
        assert function["Metadata"]["BuildMethod"] == "makefile"
        assert re.fullmatch(r"(Job|Cluster|Monitor)[A-Za-z]+Function", logical_id)
        assert logical_id.startswith(service.split("_")[0].capitalize())


@pytest.mark.parametrize("service", SERVICES)
def test_the_tick_runs_on_a_schedule_one_at_a_time(service: str) -> None:
    (tick,) = _functions_on(template(service), "Schedule")
    assert tick["Handler"] == f"{service}.functions.tick"
    assert tick["ReservedConcurrentExecutions"] == 1
    assert tick["Events"]["Tick"]["Properties"]["Schedule"] == "rate(1 minute)"
