"""Tenant: one customer of the platform, managed by operators, with its terms and API keys.

Its id (the `tenant_id` every job is keyed by) is a slug derived from its name once, at
registration; the aggregate's id is derived from that (`Tenant.id_for`), so a tenant is found
without an index and a tenant id is registered once. Its terms (weight, allowed priorities,
quotas: tenancy.py) are what dispatching and admission read. Its API keys are stored only as
SHA-256 hashes: the key itself is shown once, when it is made, and never stored. A tenant may
hold several keys at once, so a key is rotated without downtime: add a new one, move clients to
it, revoke the old one.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from job_service.domain.errors import JobServiceError
from job_service.domain.lifecycle import aware
from job_service.domain.tenancy import DEFAULT_TERMS, Quotas, TenantTerms
from job_service.domain.values import PRIORITIES, Priority

_ID_NAMESPACE: Final = UUID("6f3d2a1b-9c8e-5d7f-a0b1-c2d3e4f5a6b7")
SLUG: Final = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
"""A tenant id: lower-case letters, digits and inner '-', 1 to 64 characters."""
MAX_NAME_CHARS: Final = 256
MAX_KEYS: Final = 10
"""Active keys per tenant: enough to rotate several clients' keys at once."""
KEY_PREFIX: Final = "tk_"
"""Begins every key the platform makes, so a leaked one is easy to recognise."""


class TenantError(JobServiceError, ValueError):
    """A tenant's name, terms or key request that cannot be used (the API answers 400)."""


class KeyNotFound(JobServiceError, LookupError):
    """No active key with this id for this tenant (the API answers 404)."""

    def __init__(self, tenant_id: str, key_id: str) -> None:
        self.key_id = key_id
        super().__init__(f"tenant {tenant_id!r} has no active key {key_id!r}")


def tenant_id_for(name: str) -> str:
    """The tenant id of a tenant called `name`: the name itself if it is a slug, else the
    name lower-cased with each run of other characters made one '-'; TenantError if nothing
    is left."""
    if SLUG.fullmatch(name):
        return name
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64].strip("-")
    if not SLUG.fullmatch(slug):
        raise TenantError(
            f"name must hold letters or digits to make the tenant id of (e.g. 'acme' or "
            f"'Acme Corp'), not {name!r}"
        )
    return slug


def hash_key(key: str) -> str:
    """The stored form of an API key. Keys the platform makes carry 256 random bits, so a plain
    SHA-256 is as hard to invert as the key is to guess (no slow hash needed)."""
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def check_terms(terms: TenantTerms) -> TenantTerms:
    """`terms` once every value is usable; TenantError naming the first that is not."""
    if not 0 < terms.weight <= 1000:
        raise TenantError("weight must be greater than 0 and at most 1000")
    allowed = terms.allowed_priorities
    if allowed is not None and (not allowed or not allowed <= set(PRIORITIES)):
        raise TenantError(f"allowed_priorities must be 1 to 4 of {list(PRIORITIES)}, or null")
    q = terms.quotas
    for name, value in (("max_running", q.max_running), ("max_queued", q.max_queued)):
        if value is not None and value < 0:
            raise TenantError(f"quotas.{name} must be a whole number >= 0, or null")
    for profile, limit in q.max_running_per_profile.items():
        if not profile or limit < 0:
            raise TenantError("quotas.max_running_per_profile must map profiles to numbers >= 0")
    if q.monthly_cluster_hours is not None and not q.monthly_cluster_hours >= 0:
        raise TenantError("quotas.monthly_cluster_hours must be >= 0, or null")
    return terms


def terms_fields(terms: TenantTerms) -> dict[str, Any]:
    """The terms as plain values for a stored event (and the board's checkpoint)."""
    allowed = terms.allowed_priorities
    q = terms.quotas
    return {
        "weight": terms.weight,
        "allowed_priorities": None if allowed is None else [p for p in PRIORITIES if p in allowed],
        "quotas": {
            "max_running": q.max_running,
            "max_running_per_profile": dict(sorted(q.max_running_per_profile.items())),
            "max_queued": q.max_queued,
            "monthly_cluster_hours": q.monthly_cluster_hours,
        },
    }


def terms_from_fields(fields: Mapping[str, Any]) -> TenantTerms:
    """The terms `terms_fields` gave."""
    allowed: list[Priority] | None = fields["allowed_priorities"]
    quotas = fields["quotas"]
    return TenantTerms(
        weight=float(fields["weight"]),
        allowed_priorities=None if allowed is None else frozenset(allowed),
        quotas=Quotas(
            max_running=quotas["max_running"],
            max_running_per_profile=dict(quotas["max_running_per_profile"]),
            max_queued=quotas["max_queued"],
            monthly_cluster_hours=quotas["monthly_cluster_hours"],
        ),
    )


@dataclass(frozen=True)
class ApiKey:
    """One active key of a tenant, as stored: its id, hash and when it was added."""

    key_id: str
    key_hash: str
    created_at: datetime


class Tenant(Aggregate):
    """Register one with `Tenant.register`; change its terms with `change`; manage its keys
    with `add_key` and `revoke_key`."""

    class Registered(Aggregate.Created):
        tenant_id: str
        name: str

    class Changed(Aggregate.Event):
        """Its whole terms (tenant_id repeated, so a projection needs no other event)."""

        tenant_id: str
        weight: float
        allowed_priorities: list[str] | None
        quotas: dict[str, Any]

        def apply(self, tenant: Tenant) -> None:
            tenant.terms = terms_from_fields(vars(self))

    class KeyAdded(Aggregate.Event):
        tenant_id: str
        key_id: str
        key_hash: str

        def apply(self, tenant: Tenant) -> None:
            tenant.keys[self.key_id] = ApiKey(self.key_id, self.key_hash, self.timestamp)

    class KeyRevoked(Aggregate.Event):
        tenant_id: str
        key_id: str
        key_hash: str

        def apply(self, tenant: Tenant) -> None:
            tenant.keys.pop(self.key_id, None)

    def __init__(self, tenant_id: str, name: str) -> None:
        self.tenant_id = tenant_id
        self.name = name
        self.terms: TenantTerms = DEFAULT_TERMS
        self.keys: dict[str, ApiKey] = {}

    @staticmethod
    def id_for(tenant_id: str) -> UUID:
        """The aggregate id of the tenant `tenant_id`."""
        return uuid5(_ID_NAMESPACE, tenant_id)

    @classmethod
    def register(cls, name: str, terms: TenantTerms, at: datetime) -> Tenant:
        """A new tenant called `name`, its id derived from the name, with `terms` (no key yet)."""
        if not name.strip() or len(name) > MAX_NAME_CHARS or not name.isprintable():
            raise TenantError(f"name must be 1 to {MAX_NAME_CHARS} printable characters")
        tenant_id = tenant_id_for(name)
        tenant = cls._create(
            cls.Registered,
            id=cls.id_for(tenant_id),
            timestamp=aware(at),
            tenant_id=tenant_id,
            name=name,
        )
        tenant.change(terms, at, force=True)
        return tenant

    def change(self, terms: TenantTerms, at: datetime, *, force: bool = False) -> None:
        """Replace its terms (from the next dispatch and admission decision on)."""
        if terms != self.terms or force:
            fields = terms_fields(check_terms(terms))
            self.trigger_event(
                self.Changed, timestamp=aware(at), tenant_id=self.tenant_id, **fields
            )

    def add_key(self, at: datetime, key: str | None = None) -> tuple[str, str]:
        """A new active key: (key_id, key). The key is made here unless given (local seeding
        gives a known one); only its hash is stored."""
        if len(self.keys) >= MAX_KEYS:
            raise TenantError(f"a tenant holds at most {MAX_KEYS} active keys; revoke one first")
        key = new_key() if key is None else key
        key_id = secrets.token_hex(6)
        self.trigger_event(
            self.KeyAdded,
            timestamp=aware(at),
            tenant_id=self.tenant_id,
            key_id=key_id,
            key_hash=hash_key(key),
        )
        return key_id, key

    def revoke_key(self, key_id: str, at: datetime) -> None:
        """The key stops working at once; KeyNotFound if there is no such active key."""
        found = self.keys.get(key_id)
        if found is None:
            raise KeyNotFound(self.tenant_id, key_id)
        self.trigger_event(
            self.KeyRevoked,
            timestamp=aware(at),
            tenant_id=self.tenant_id,
            key_id=key_id,
            key_hash=found.key_hash,
        )
