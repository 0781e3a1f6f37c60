"""The actions of /tenants: operators register tenants, change their terms and manage their keys.

Every route is for operators only (a tenant's key gets 403 and nothing changes). A key is shown
once, in the answer that made it (`api_key`); the service keeps only its hash. PATCH changes
only the fields it names: in `quotas`, each limit named is replaced (null: no limit), the
others stay; `allowed_priorities` null allows every priority.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from chalice.app import Response
from pydantic import BaseModel, Field, StringConstraints, ValidationError

from backbone.http.errors import ApiError, from_validation
from backbone.http.runtime import json_response
from job_service.api.models import STRICT
from job_service.api.runtime import JobCall
from job_service.api.views import View
from job_service.application.tenants import NewKey
from job_service.domain import PRIORITIES, Quotas, Tenant, TenantTerms
from job_service.domain.values import Priority

Count = Annotated[int, Field(ge=0, le=1_000_000)]
ClusterProfile = Annotated[str, StringConstraints(pattern=r"^[!-~]{1,256}$")]


class QuotasBody(BaseModel):
    """A tenant's limits; null (or left out on creation) means no limit."""

    model_config = STRICT

    max_running: Count | None = None
    """Jobs holding a slot at once, across all cluster profiles."""
    max_running_per_profile: Annotated[
        dict[ClusterProfile, Count],
        Field(max_length=100, json_schema_extra={"additionalProperties": False}),
    ] = {}
    """Jobs holding a slot at once, per cluster profile (one not named has no such limit)."""
    max_queued: Count | None = None
    """Jobs waiting at once; a submission beyond it gets 429 with Retry-After."""
    monthly_cluster_hours: Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False)] | None = None
    """Cluster-hours per calendar month (UTC): step hours times the share of the cluster held
    (one slot of N: 1/N); once used up, submissions get 403 until the month ends."""


Weight = Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)]
Priorities = Annotated[list[Priority], Field(min_length=1, max_length=4)]


class CreateTenant(BaseModel):
    """POST /tenants."""

    model_config = STRICT

    name: Annotated[
        str,
        StringConstraints(min_length=1, max_length=256),
        Field(json_schema_extra={"pattern": "[A-Za-z0-9]"}),
    ]
    """The tenant's name; its id is the name if it is a slug (lower-case letters, digits and
    '-'), else the name made one (e.g. "Acme Corp" -> "acme-corp")."""
    weight: Weight = 1.0
    """Its share of contended slots relative to other tenants' weights."""
    allowed_priorities: Priorities | None = None
    """The priorities its jobs may take; null or left out: every priority."""
    quotas: QuotasBody = QuotasBody()

    def terms(self) -> TenantTerms:
        return TenantTerms(self.weight, _priorities(self.allowed_priorities), self.quotas_value())

    def quotas_value(self) -> Quotas:
        q = self.quotas
        return Quotas(
            q.max_running, q.max_running_per_profile, q.max_queued, q.monthly_cluster_hours
        )


class ChangeTenant(BaseModel):
    """PATCH /tenants/{tenant_id}: only the fields given change."""

    model_config = STRICT

    weight: Weight | None = None
    allowed_priorities: Priorities | None = None
    """null: every priority."""
    quotas: dict[str, Any] | None = None
    """Any of max_running, max_running_per_profile, max_queued, monthly_cluster_hours; each one
    given replaces the limit (null: no limit), the others stay."""

    def change(self, terms: TenantTerms) -> TenantTerms:
        """`terms` with the fields this request gives."""
        given = self.model_fields_set
        if "weight" in given and self.weight is None:
            raise ApiError(400, "invalid_request", "must be a number > 0", field="weight")
        weight = terms.weight if self.weight is None else self.weight
        allowed = terms.allowed_priorities
        if "allowed_priorities" in given:
            allowed = _priorities(self.allowed_priorities)
        quotas = terms.quotas
        if self.quotas is not None:
            current = {
                "max_running": quotas.max_running,
                "max_running_per_profile": dict(quotas.max_running_per_profile),
                "max_queued": quotas.max_queued,
                "monthly_cluster_hours": quotas.monthly_cluster_hours,
            }
            merged = current | self.quotas
            if merged["max_running_per_profile"] is None:
                merged["max_running_per_profile"] = {}
            try:
                checked = CreateTenant.model_validate({"name": "x", "quotas": merged})
            except ValidationError as error:
                raise from_validation(error) from None
            quotas = checked.quotas_value()
        return TenantTerms(weight, allowed, quotas)


def _priorities(given: list[Priority] | None) -> frozenset[Priority] | None:
    return None if given is None else frozenset(given)


class KeyView(View):
    key_id: str
    created_at: datetime


class TenantView(View):
    """A tenant as operators see it (its keys by id only: the keys themselves are not kept)."""

    tenant_id: str
    name: str
    weight: float
    allowed_priorities: list[Priority] | None
    """null: every priority."""
    quotas: QuotasBody
    keys: list[KeyView]
    version: int
    created_at: datetime
    updated_at: datetime


class TenantCreated(TenantView):
    """201 to POST /tenants: the tenant and its first key, shown this once."""

    key_id: str
    api_key: str
    """Send it in X-Api-Key; store it now: it is not shown again."""


class TenantList(View):
    tenants: list[TenantView]


class KeyCreated(View):
    """201 to POST /tenants/{tenant_id}/keys: a new key, shown this once; the tenant's other
    keys keep working until revoked."""

    tenant_id: str
    key_id: str
    api_key: str
    created_at: datetime


def tenant_view(tenant: Tenant) -> TenantView:
    terms = tenant.terms
    allowed = terms.allowed_priorities
    q = terms.quotas
    return TenantView(
        tenant_id=tenant.tenant_id,
        name=tenant.name,
        weight=terms.weight,
        allowed_priorities=None if allowed is None else [p for p in PRIORITIES if p in allowed],
        quotas=QuotasBody(
            max_running=q.max_running,
            max_running_per_profile=dict(q.max_running_per_profile),
            max_queued=q.max_queued,
            monthly_cluster_hours=q.monthly_cluster_hours,
        ),
        keys=[KeyView(key_id=k.key_id, created_at=k.created_at) for k in tenant.keys.values()],
        version=tenant.version,
        created_at=tenant.created_on,
        updated_at=tenant.modified_on,
    )


def _created(made: NewKey) -> dict[str, Any]:
    return {"key_id": made.key_id, "api_key": made.api_key}


def create(call: JobCall) -> Response:
    """201 with the tenant and its first key; 409 if its id is taken; 403 for a tenant."""
    call.require_operator("manage tenants")
    body = call.body(CreateTenant)
    made = call.app.register_tenant(body.name, body.terms(), at=call.now())
    view = TenantCreated(**tenant_view(made.tenant).model_dump(), **_created(made))
    return json_response(view, 201, {"Location": f"/tenants/{made.tenant.tenant_id}"})


def list_tenants(call: JobCall) -> Response:
    call.require_operator("manage tenants")
    return json_response(TenantList(tenants=[tenant_view(t) for t in call.app.list_tenants()]))


def get(call: JobCall, tenant_id: str) -> Response:
    call.require_operator("manage tenants")
    return json_response(tenant_view(call.app.get_tenant(tenant_id)))


def change(call: JobCall, tenant_id: str) -> Response:
    """200 with the tenant's new terms, which count from the next decision on."""
    call.require_operator("manage tenants")
    body = call.body(ChangeTenant)
    tenant = call.app.change_tenant(tenant_id, body.change, at=call.now())
    return json_response(tenant_view(tenant))


def add_key(call: JobCall, tenant_id: str) -> Response:
    """201 with a new key; the tenant's other keys keep working until revoked."""
    call.require_operator("manage tenants")
    made = call.app.add_key(tenant_id, at=call.now())
    created = made.tenant.keys[made.key_id].created_at
    view = KeyCreated(tenant_id=tenant_id, created_at=created, **_created(made))
    return json_response(view, 201, {"Location": f"/tenants/{tenant_id}"})


def revoke_key(call: JobCall, tenant_id: str, key_id: str) -> Response:
    """200 with the tenant: the key is refused (401) from the next request on."""
    call.require_operator("manage tenants")
    return json_response(tenant_view(call.app.revoke_key(tenant_id, key_id, at=call.now())))
