"""What a tenant may use of the shared clusters: its weight for fair share and its quotas.

A tenant that the job service has no record of (tenants known only to the authorizer, or to the
TENANT_API_KEYS setting) has DEFAULT_TERMS: weight 1, every priority, no quota.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from job_service.domain.values import Priority


@dataclass(frozen=True)
class Quotas:
    """Limits on one tenant's jobs; None means no limit."""

    max_running: int | None = None
    """Jobs holding a slot at once, across all cluster profiles."""
    max_running_per_profile: Mapping[str, int] = field(default_factory=dict)
    """Jobs holding a slot at once, per cluster profile (a profile not named has no such limit)."""
    max_queued: int | None = None
    """Jobs accepted and not yet holding a slot; a submission beyond it is refused (429)."""
    monthly_cluster_hours: float | None = None
    """Cluster-hours the tenant's jobs may use per calendar month (UTC); beyond it, 403."""


@dataclass(frozen=True)
class TenantTerms:
    """A tenant's weight and quotas, as dispatching and admission read them."""

    weight: float = 1.0
    """Its share of contended slots relative to other tenants' weights (> 0)."""
    allowed_priorities: frozenset[Priority] | None = None
    """The priority classes its jobs may take; None: all."""
    quotas: Quotas = field(default_factory=Quotas)


DEFAULT_TERMS: Final = TenantTerms()
