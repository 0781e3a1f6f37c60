"""Admission: whether a tenant may submit one more job now, under its terms (tenancy.py).

Checked on every new submission, before anything is stored, in this order:
1. the job's priority must be one of the tenant's allowed_priorities (else 403);
2. monthly_cluster_hours: the tenant's cluster-hours of this calendar month (UTC) must be below
   the quota (else 403: nothing frees up before the month ends);
3. max_queued: the tenant's jobs waiting (queued, or requeued for another attempt) must be below
   the quota (else 429 with Retry-After: a queued job leaving the queue frees a place).
A job's cluster-hours (usage.py counts them) are the hours its steps ran, each multiplied by the
share of its cluster the step held: one slot of a cluster of N slots is 1/N of the cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from job_service.domain.errors import JobServiceError
from job_service.domain.tenancy import TenantTerms
from job_service.domain.values import PRIORITIES

QUEUED_RETRY_AFTER_SECONDS: Final = 60
"""What a 429 for max_queued tells the client to wait: about one dispatch round and a step's
start; the tenant's queue empties at the pace of its running jobs, which the API cannot know."""


class Refused(JobServiceError):
    """A submission a tenant's terms do not allow now; `limit` names the term."""

    def __init__(self, limit: str, message: str, allowed: object, used: object) -> None:
        self.limit, self.allowed, self.used = limit, allowed, used
        super().__init__(message)


class NotAllowed(Refused):
    """Not under these terms (the API answers 403): the priority, or a used-up monthly quota."""


class OverQuota(Refused):
    """Not now (the API answers 429 with Retry-After)."""

    retry_after_seconds = QUEUED_RETRY_AFTER_SECONDS


@dataclass(frozen=True)
class Usage:
    """What a tenant holds of the platform at one moment."""

    queued: int = 0
    """Jobs waiting in a queue (queued, or requeued for another attempt)."""
    cluster_hours: float = 0.0
    """Cluster-hours of this calendar month (UTC), steps still running included."""


def admit(tenant_id: str, terms: TenantTerms, priority: str, usage: Usage) -> None:
    """Nothing if the tenant may submit one more job of `priority` now; else NotAllowed or
    OverQuota naming the limit (see the module docstring)."""
    allowed = terms.allowed_priorities
    if allowed is not None and priority not in allowed:
        names = [p for p in PRIORITIES if p in allowed]
        message = f"tenant {tenant_id!r} may submit jobs of priority {names} only, not {priority!r}"
        raise NotAllowed("allowed_priorities", message, names, priority)
    hours = terms.quotas.monthly_cluster_hours
    if hours is not None and usage.cluster_hours >= hours:
        message = (
            f"tenant {tenant_id!r} has used {usage.cluster_hours:.2f} of its {hours:g} "
            "cluster-hours this month (UTC); new jobs are accepted again next month, or once an "
            "operator raises quotas.monthly_cluster_hours"
        )
        raise NotAllowed("monthly_cluster_hours", message, hours, round(usage.cluster_hours, 4))
    queued = terms.quotas.max_queued
    if queued is not None and usage.queued >= queued:
        message = (
            f"tenant {tenant_id!r} has {usage.queued} jobs waiting, its max_queued is {queued}; "
            "submit again once some have started (or cancel some)"
        )
        raise OverQuota("max_queued", message, queued, usage.queued)
