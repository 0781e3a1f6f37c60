"""What `make run` prints once everything answers: where each part runs, and how to try it."""

from __future__ import annotations

import json
from collections.abc import Sequence

from .resources import LocalResources
from .settings import LocalSettings, RunnerSettings

_TITLES = {"job": "job service", "cluster": "cluster service", "monitor": "monitor service"}


def banner(
    endpoint_url: str,
    settings: LocalSettings,
    resources: LocalResources,
    runner: RunnerSettings | None = None,
    not_ready: Sequence[str] = (),
) -> str:
    """The startup banner: what runs where, and how to point clients at it."""
    lines = ["local runtime is running (Ctrl-C stops it)"]
    if runner is not None:
        lines += _services(settings, runner, not_ready)
    lines += [
        f"  emulator (moto server): {endpoint_url}",
        f"  region:                 {settings.region}",
        f"  event-store tables:     {', '.join(resources.tables)}",
        f"  event bus:              {resources.bus_name} ({resources.bus_arn})",
        "  EMR and CloudFormation: moved through AWS's state sequences by the local driver",
        "    LOCAL_AWS_TIMINGS=realistic gives EMR-like minutes;",
        "    LOCAL_AWS_FAILURES=stack_create=0.1,step=0.1 injects failures;",
        f"    POST {endpoint_url}/local-aws/clusters/<j-...>/terminate injects a lost cluster",
        "point boto3 or the aws cli at it with:",
        f"  export AWS_ENDPOINT_URL={endpoint_url}",
        f"  export AWS_DEFAULT_REGION={settings.region}",
        "  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing",
    ]
    if runner is not None and "job" in runner.services:
        lines += _try_it(runner)
    return "\n".join(lines)


def _services(
    settings: LocalSettings, runner: RunnerSettings, not_ready: Sequence[str]
) -> list[str]:
    lines = []
    for name in runner.services:
        late = "  (not answering yet: see its log)" if name in not_ready else ""
        lines.append(f"  {_TITLES[name] + ':':<23} {runner.url(name)}{late}")
    if "monitor" in runner.services:
        dashboard = f"{runner.url('monitor')}/dashboard#key={runner.operator_api_key}"
        lines.append(f"  dashboard:              {dashboard}")
    lines += [
        f"  demo tenant:            {runner.demo_tenant}, API key {runner.demo_api_key} "
        "(header X-Api-Key)",
        f"  second tenant:          acme (weight 2), API key {runner.acme_api_key}",
        f"  operator API key:       {runner.operator_api_key} (cluster and monitor services)",
        "  job profiles:           training (large), scoring (small), predicting (medium)",
        f"  pools:                  minimum {runner.pool_minimum}, maximum {runner.pool_maximum}, "
        f"idle TTL {runner.idle_ttl_seconds} s",
        f"  logs:                   {settings.log_dir}/ (runner.log, <service>.log, "
        "processes.json)",
    ]
    return lines


def _try_it(runner: RunnerSettings) -> list[str]:
    job = {
        "profile": "scoring",
        "name": "first job",
        "parameters": {"date": "2026-11-24", "duration": 5},
    }
    return [
        "submit a job with:",
        f"  curl -s -X POST {runner.url('job')}/jobs -H 'X-Api-Key: {runner.demo_api_key}' "
        f"-H 'Content-Type: application/json' -d '{json.dumps(job)}'",
    ]
