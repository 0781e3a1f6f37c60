"""Who is calling (API keys, the authorizer), settings, Chalice stages and the lazy build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from chalice.cli.factory import CLIFactory
from chalice.test import Client

import job_service
from backbone.http.errors import ApiError
from backbone.http.runtime import ApiHolder
from job_service.api.runtime import build_from_env, identity
from job_service.api.settings import ApiSettings
from job_service.app import api, app
from job_service.bootstrap import JobServiceSettings, SettingsError
from tests.backbone.unreachable import unreachable_store
from tests.job_service.api_support import KEY, ApiWorld, job_body

KEYS = {"key-of-acme-1": "acme"}
SERVICE_DIR = Path(job_service.__file__).parent


def tenant_of(context: dict[str, Any], headers: dict[str, str]) -> str:
    return identity(ApiSettings(api_keys=KEYS)).principal(context, headers)


def test_unset_keys_give_the_local_demo_tenant() -> None:
    assert ApiSettings.from_env({}).api_keys == {"local-demo-key": "demo"}


def test_keys_name_their_tenants() -> None:
    settings = ApiSettings.from_env({"TENANT_API_KEYS": " acme=key-of-acme-1 , beta=key-of-beta "})
    assert settings.api_keys == {"key-of-acme-1": "acme", "key-of-beta": "beta"}


def test_empty_keys_leave_the_authorizer_as_the_only_way_in() -> None:
    assert ApiSettings.from_env({"TENANT_API_KEYS": ""}).api_keys == {}


@pytest.mark.parametrize(
    "raw",
    ["acme", "acme=", "=key-of-acme", "a b=key-of-acme", "acme=short", "a=key-one-1,b=key-one-1"],
)
def test_unusable_keys_are_a_settings_error_that_never_shows_a_key(raw: str) -> None:
    with pytest.raises(SettingsError) as raised:
        ApiSettings.from_env({"TENANT_API_KEYS": raw})
    assert "key-of-acme" not in str(raised.value) and "key-one-1" not in str(raised.value)


def test_the_profile_cache_seconds_are_a_setting() -> None:
    assert ApiSettings.from_env({"PROFILE_CACHE_SECONDS": "5"}).profile_cache_seconds == 5
    with pytest.raises(SettingsError):
        ApiSettings.from_env({"PROFILE_CACHE_SECONDS": "soon"})


def test_a_known_key_names_its_tenant() -> None:
    assert tenant_of({}, {"x-api-key": "key-of-acme-1"}) == "acme"


@pytest.mark.parametrize(
    "authorizer",
    [
        {"principalId": "u", "tenant_id": "acme"},  # REST API, Lambda authorizer
        {"lambda": {"tenant_id": "acme"}},  # HTTP API, Lambda authorizer
        {"claims": {"custom:tenant_id": "acme"}},  # Cognito user pool
        {"claims": {"tenant_id": "acme"}},
    ],
)
def test_the_authorizer_names_the_tenant_and_outranks_any_key(authorizer: dict[str, Any]) -> None:
    headers = {"x-api-key": "key-of-someone-else"}
    assert tenant_of({"authorizer": authorizer}, headers) == "acme"


@pytest.mark.parametrize(
    "authorizer", [{"principalId": "u"}, {"lambda": {"tenant_id": ""}}, {"tenant_id": "a b"}]
)
def test_an_authorizer_without_a_usable_tenant_is_a_401(authorizer: dict[str, Any]) -> None:
    with pytest.raises(ApiError) as raised:
        tenant_of({"authorizer": authorizer}, {"x-api-key": "key-of-acme-1"})
    assert raised.value.status == 401


def gateway_event(method: str, path: str, authorizer: dict[str, Any], body: Any = None) -> Any:
    """A REST API proxy event as API Gateway hands it to the Lambda function."""
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {"content-type": "application/json"},
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "isBase64Encoded": False,
        "body": None if body is None else json.dumps(body),
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "authorizer": authorizer,
            "path": f"/api{path}",
            "stage": "api",
        },
    }


def test_on_aws_the_authorizers_tenant_owns_the_jobs_it_submits() -> None:
    with ApiWorld() as world:
        # Given a profile
        world.create_profile()
        # When a request that passed a Lambda authorizer for tenant-1 submits a job
        event = gateway_event(
            "POST", "/jobs", {"principalId": "u1", "tenant_id": "tenant-1"}, job_body()
        )
        answer = app(event, None)
        # Then the job is tenant-1's: its API key finds it
        assert answer["statusCode"] == 202
        job_id = json.loads(answer["body"])["job_id"]
        assert world.request("GET", f"/jobs/{job_id}", key=KEY).status == 200


def test_nothing_is_built_until_the_first_request_and_then_once() -> None:
    built: list[int] = []

    def build() -> Any:
        built.append(1)
        return object()

    holder = ApiHolder(build, lambda: identity(ApiSettings()))
    assert built == []
    assert holder.get() is holder.get()
    assert built == [1]


def test_the_service_is_built_from_the_environment() -> None:
    env = {"JOB_SERVICE_TABLE": "unused", "PERSISTENCE_MODULE": "backbone.eventstore.memory"}
    api = build_from_env(env)
    assert api.settings.api_keys == {"local-demo-key": "demo"}
    assert api.service.settings.table_name == "unused"


@pytest.mark.parametrize("key", [None, "key-of-nobody"])
def test_an_unknown_caller_is_a_401_even_when_the_service_cannot_be_built(
    monkeypatch: pytest.MonkeyPatch, key: str | None
) -> None:
    # Given a process whose event-store table is unreachable, nothing built yet
    unreachable_store(monkeypatch, "JOB_SERVICE_TABLE")
    monkeypatch.setenv("TENANT_API_KEYS", "acme=key-of-acme-1")
    api.use(None)
    try:
        # When a request comes without a key, or with an unknown one
        headers = {} if key is None else {"x-api-key": key}
        answer = Client(app).http.get("/jobs", headers=headers)
        # Then it is a 401 (not the 500 of the build), and a known key meets the 500
        assert (answer.status_code, json.loads(answer.body)["error"]["code"]) == (
            401,
            "unauthorized",
        )
        known = Client(app).http.get("/jobs", headers={"x-api-key": "key-of-acme-1"})
        assert known.status_code == 500
    finally:
        api.use(None)


def test_importing_the_app_builds_nothing() -> None:
    # Given an environment without any of the service's settings (bootstrap would raise)
    env = {k: v for k, v in os.environ.items() if "TABLE" not in k and k != "TENANT_API_KEYS"}
    code = (
        "import job_service.app as m; from backbone.http.openapi import is_fallback;"
        " assert m.api._api is None; print(sum(not is_fallback(p) for p in m.app.routes))"
    )
    # When the Chalice app is imported, then it imports fine and has built no service
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert (done.returncode, done.stdout.strip()) == (0, "10"), done.stderr


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_each_chalice_stage_gives_usable_settings(stage: str) -> None:
    config = CLIFactory(str(SERVICE_DIR)).create_config_obj(chalice_stage_name=stage)
    env = config.environment_variables
    assert (config.app_name, config.lambda_timeout) == ("job-service", 29)
    JobServiceSettings.from_env(env)
    keys = ApiSettings.from_env(env).api_keys
    assert keys == ({"local-demo-key": "demo"} if stage == "dev" else {})


def test_the_lambda_package_pins_what_the_repository_pins() -> None:
    def pins(path: Path) -> set[str]:
        lines = path.read_text().splitlines()
        return {line for line in lines if line and not line.startswith(("#", "-r"))}

    assert pins(SERVICE_DIR / "requirements.txt") == pins(
        SERVICE_DIR.parents[1] / "requirements.in"
    )
