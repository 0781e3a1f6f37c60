"""The routes jobctl uses, one method each, on top of ServiceClient."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from cli.http import ServiceClient, segment
from cli.settings import Settings

TERMINAL: Final = frozenset({"succeeded", "failed", "cancelled"})
ACTIVE: Final = ("submitted", "queued", "allocated", "running")
MAX_PAGE: Final = 100
MONITOR_PAGE: Final = 1000
"""The most rows the monitor's audit routes give a page."""
Json = dict[str, Any]


class JobApi:
    """The job service: a tenant's jobs and the job profiles."""

    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    def submit(
        self,
        profile: str,
        name: str,
        parameters: Mapping[str, Any],
        priority: str | None = None,
        idempotency_key: str | None = None,
    ) -> Json:
        body: Json = {"profile": profile, "name": name, "parameters": dict(parameters)}
        if priority is not None:
            body["priority"] = priority
        headers = {} if idempotency_key is None else {"Idempotency-Key": idempotency_key}
        accepted: Json = self.client.request("POST", "/jobs", body, headers=headers)
        return accepted

    def job(self, job_id: str) -> Json:
        found: Json = self.client.get(f"/jobs/{segment(job_id)}")
        return found

    def cancel(self, job_id: str) -> Json:
        cancelled: Json = self.client.request("DELETE", f"/jobs/{segment(job_id)}")
        return cancelled

    def page(
        self,
        status: str | None = None,
        profile: str | None = None,
        limit: int | None = None,
        next_token: str | None = None,
    ) -> Json:
        query = {"status": status, "profile": profile, "limit": limit, "next_token": next_token}
        found: Json = self.client.get("/jobs", query)
        return found

    def jobs(
        self, status: str | None = None, profile: str | None = None, page_size: int = MAX_PAGE
    ) -> Iterator[Json]:
        """Every job of the tenant (newest first), following next_token lazily."""
        token: str | None = None
        while True:
            page = self.page(status, profile, page_size, token)
            yield from page["jobs"]
            token = page.get("next_token")
            if not token:
                return

    def profiles(self) -> list[Json]:
        found: list[Json] = self.client.get("/job-profiles")["profiles"]
        return found

    def profile(self, name: str) -> Json:
        found: Json = self.client.get(f"/job-profiles/{segment(name)}")
        return found


class TenantApi:
    """The job service's tenants (operators): register, change, keys."""

    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    def tenants(self) -> list[Json]:
        found: list[Json] = self.client.get("/tenants")["tenants"]
        return found

    def tenant(self, tenant_id: str) -> Json:
        found: Json = self.client.get(f"/tenants/{segment(tenant_id)}")
        return found

    def create(self, body: Mapping[str, Any]) -> Json:
        created: Json = self.client.request("POST", "/tenants", dict(body))
        return created

    def change(self, tenant_id: str, changes: Mapping[str, Any]) -> Json:
        path = f"/tenants/{segment(tenant_id)}"
        changed: Json = self.client.request("PATCH", path, dict(changes))
        return changed

    def add_key(self, tenant_id: str) -> Json:
        made: Json = self.client.request("POST", f"/tenants/{segment(tenant_id)}/keys")
        return made

    def revoke_key(self, tenant_id: str, key_id: str) -> Json:
        path = f"/tenants/{segment(tenant_id)}/keys/{segment(key_id)}"
        revoked: Json = self.client.request("DELETE", path)
        return revoked


class ClusterApi:
    """The cluster service (operators): cluster profiles, clusters and pools."""

    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    def profiles(self) -> list[Json]:
        found: list[Json] = self.client.get("/cluster-profiles")["profiles"]
        return found

    def clusters(self, profile: str | None = None, state: str | None = None) -> list[Json]:
        found: list[Json] = self.client.get("/clusters", {"profile": profile, "state": state})[
            "clusters"
        ]
        return found

    def pools(self) -> list[Json]:
        found: list[Json] = self.client.get("/pools")["pools"]
        return found

    def pool(self, profile: str) -> Json:
        found: Json = self.client.get(f"/pools/{segment(profile)}")
        return found

    def set_pool(self, profile: str, changes: Mapping[str, int]) -> Json:
        found: Json = self.client.request("PUT", f"/pools/{segment(profile)}", dict(changes))
        return found


class MonitorApi:
    """The monitor service (operators): health, metrics and the recorded job history."""

    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    def health(self) -> Json:
        found: Json = self.client.get("/health")
        return found

    def metrics(self) -> Json:
        found: Json = self.client.get("/metrics")
        return found

    def dead_letters(self, queue: str | None = None) -> Json:
        """GET /dead-letters: the dead-letter queues' depths and messages."""
        found: Json = self.client.get("/dead-letters", {"queue": queue})
        return found

    def redrive(self, queue: str | None = None) -> Json:
        """POST /dead-letters/redrive: send the dead letters back to their queues."""
        body: Json = {} if queue is None else {"queue": queue}
        moved: Json = self.client.request("POST", "/dead-letters/redrive", body)
        return moved

    def job_history(self, start: str, end: str, page_size: int = MONITOR_PAGE) -> Iterator[Json]:
        """Every job submitted in [start, end) as GET /audit/jobs rows, oldest first, following
        next_token lazily (one page in memory at a time)."""
        token: str | None = None
        while True:
            query: dict[str, str | int | None] = {"from": start, "to": end}
            query |= {"limit": page_size, "next_token": token}
            page = self.client.get("/audit/jobs", query)
            yield from page["jobs"]
            token = page.get("next_token")
            if not token:
                return


class Apis:
    """The three services' APIs for one invocation."""

    def __init__(self, settings: Settings, timeout: float | None = None) -> None:
        extra = {} if timeout is None else {"timeout": timeout}
        self.settings = settings
        self.jobs = JobApi(ServiceClient(settings.job, **extra))
        self.clusters = ClusterApi(ServiceClient(settings.cluster, **extra))
        self.monitor = MonitorApi(ServiceClient(settings.monitor, **extra))
        self.tenants = TenantApi(ServiceClient(settings.job_operator or settings.job, **extra))
