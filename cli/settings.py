"""Where the services listen and which keys jobctl sends: options first, then the environment.

Without --api-key or JOBCTL_API_KEY, jobctl sends the local demo tenant's key (`local-demo-key`),
but only to a job service on this machine (localhost, 127.0.0.1 or ::1); for any other URL it
stops with a usage error rather than guess. The operator key (--operator-key,
JOBCTL_OPERATOR_KEY; locally `local-operator-key`) follows the same rule for the cluster and
monitor services.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from cli.exits import UsageError

JOB_URL: Final = "http://127.0.0.1:8001"
CLUSTER_URL: Final = "http://127.0.0.1:8002"
MONITOR_URL: Final = "http://127.0.0.1:8003"
LOCAL_API_KEY: Final = "local-demo-key"
LOCAL_OPERATOR_KEY: Final = "local-operator-key"
LOOPBACK: Final = frozenset({"localhost", "127.0.0.1", "::1"})

ENV_API_KEY: Final = "JOBCTL_API_KEY"
ENV_OPERATOR_KEY: Final = "JOBCTL_OPERATOR_KEY"
ENV_JOB_URL: Final = "JOBCTL_JOB_URL"
ENV_CLUSTER_URL: Final = "JOBCTL_CLUSTER_URL"
ENV_MONITOR_URL: Final = "JOBCTL_MONITOR_URL"


@dataclass(frozen=True)
class Endpoint:
    """One service: its base URL and the key sent in X-Api-Key (None: not resolved yet)."""

    service: str
    url: str
    key: str | None
    key_option: str
    """The option and variable that set the key, for error messages."""

    def require_key(self) -> str:
        if self.key is None:
            raise UsageError(
                f"no key for the {self.service} at {self.url}: give {self.key_option} "
                "(the local default is only sent to a service on this machine)"
            )
        return self.key


@dataclass(frozen=True)
class Settings:
    job: Endpoint
    cluster: Endpoint
    monitor: Endpoint
    job_operator: Endpoint | None = None
    """The job service with the operators' key: tenants are managed there."""

    @classmethod
    def resolve(
        cls,
        environ: Mapping[str, str],
        *,
        api_key: str | None = None,
        operator_key: str | None = None,
        job_url: str | None = None,
        cluster_url: str | None = None,
        monitor_url: str | None = None,
    ) -> Settings:
        """Options override the environment, which overrides the local defaults."""
        tenant = api_key or environ.get(ENV_API_KEY) or None
        operator = operator_key or environ.get(ENV_OPERATOR_KEY) or None
        urls = (
            base_url(job_url or environ.get(ENV_JOB_URL) or JOB_URL),
            base_url(cluster_url or environ.get(ENV_CLUSTER_URL) or CLUSTER_URL),
            base_url(monitor_url or environ.get(ENV_MONITOR_URL) or MONITOR_URL),
        )
        tenant_option = f"--api-key or {ENV_API_KEY}"
        operator_option = f"--operator-key or {ENV_OPERATOR_KEY}"
        return cls(
            job=_endpoint("job service", urls[0], tenant, LOCAL_API_KEY, tenant_option),
            cluster=_endpoint(
                "cluster service", urls[1], operator, LOCAL_OPERATOR_KEY, operator_option
            ),
            monitor=_endpoint(
                "monitor service", urls[2], operator, LOCAL_OPERATOR_KEY, operator_option
            ),
            job_operator=_endpoint(
                "job service", urls[0], operator, LOCAL_OPERATOR_KEY, operator_option
            ),
        )


def _endpoint(service: str, url: str, key: str | None, local: str, option: str) -> Endpoint:
    if key is None and is_local(url):
        key = local
    return Endpoint(service, url, key, option)


def base_url(url: str) -> str:
    """`url` without a trailing slash; a usage error unless it is http(s) with a host."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{url!r} is not a service URL; give one like {JOB_URL}")
    return url.strip().rstrip("/")


def is_local(url: str) -> bool:
    """Whether `url` points at this machine."""
    return (urlsplit(url).hostname or "") in LOOPBACK
