"""Tenants: their use cases (register, change, add and revoke keys, read, list) and the lookup
of a tenant by API key.

Operators manage tenants (the API checks who calls). `TenantDirectory` is a projection of the
notification log, one of the board reader's log observers: every tenant id registered, and the
hash of every active key with its tenant. Every key lookup and listing first brings the board
(and so the directory) up to date with the log, one Query when nothing is new, so a key added or
revoked by any process counts from the next request on: a new key works at once, a revoked one
is refused at once. Its state (ids and hashes, never keys) goes into the board's checkpoints, so a
cold start reads it only the log after the checkpoint (board_reader.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from job_service.application.board_reader import BoardReader
from job_service.application.errors import Conflict, TenantExists, TenantNotFound
from job_service.application.store import JobStore, serialized
from job_service.domain.tenancy import TenantTerms
from job_service.domain.tenant import Tenant, hash_key, tenant_id_for


class TenantDirectory:
    """Tenant ids and active keys' hashes; `apply` takes the log's events in order."""

    def __init__(self) -> None:
        self.position = 0
        self.tenant_ids: set[str] = set()
        self._owners: dict[str, str] = {}

    def owner(self, key: str) -> str | None:
        """The tenant whose active key `key` is; None if no tenant's is. Looked up by hash, so
        the time taken says nothing about the key's text."""
        return self._owners.get(hash_key(key))

    def apply(self, event: Any, notification_id: int) -> None:
        if notification_id <= self.position:
            return
        self.position = notification_id
        if isinstance(event, Tenant.Registered):
            self.tenant_ids.add(event.tenant_id)
        elif isinstance(event, Tenant.KeyAdded):
            self._owners[event.key_hash] = event.tenant_id
        elif isinstance(event, Tenant.KeyRevoked):
            self._owners.pop(event.key_hash, None)

    def resume_at(self, position: int) -> int:
        """It needs every event it has not seen (none before a checkpoint that restored it)."""
        return self.position

    checkpoint_key = "tenant_directory"

    def state(self) -> Any:
        return {"tenant_ids": sorted(self.tenant_ids), "owners": dict(self._owners)}

    def restore(self, state: Any, position: int) -> None:
        self.tenant_ids = set(state["tenant_ids"])
        self._owners = dict(state["owners"])
        self.position = position


@dataclass(frozen=True)
class NewKey:
    """A key as made: shown once, to the operator who asked for it."""

    tenant: Tenant
    key_id: str
    api_key: str


class TenantUseCases:
    def __init__(self, store: JobStore, board: BoardReader, directory: TenantDirectory) -> None:
        self.store = store
        self.board = board
        self.directory = directory

    @serialized
    def register_tenant(
        self, name: str, terms: TenantTerms, *, at: datetime, api_key: str | None = None
    ) -> NewKey:
        """A new tenant with its first key (made here unless `api_key` is given, as local
        seeding does); TenantExists if its id is taken."""
        tenant_id = tenant_id_for(name)
        if self.store.find(Tenant.id_for(tenant_id)) is not None:
            raise TenantExists(tenant_id)
        tenant = Tenant.register(name, terms, at)
        key_id, key = tenant.add_key(at, api_key)
        try:
            self.store.commit(tenant)
        except Conflict:
            raise TenantExists(tenant_id) from None
        return NewKey(tenant, key_id, key)

    @serialized
    def change_tenant(
        self, tenant_id: str, change: Callable[[TenantTerms], TenantTerms], *, at: datetime
    ) -> Tenant:
        """Replace the tenant's terms with `change(its terms)`; they count from the next
        dispatch and admission decision on."""
        tenant = self.get_tenant(tenant_id)
        tenant.change(change(tenant.terms), at)
        self.store.commit(tenant)
        return tenant

    @serialized
    def add_key(self, tenant_id: str, *, at: datetime, api_key: str | None = None) -> NewKey:
        """Another active key; the tenant's other keys keep working (rotation)."""
        tenant = self.get_tenant(tenant_id)
        key_id, key = tenant.add_key(at, api_key)
        self.store.commit(tenant)
        return NewKey(tenant, key_id, key)

    @serialized
    def revoke_key(self, tenant_id: str, key_id: str, *, at: datetime) -> Tenant:
        """The key stops working from the next request on; KeyNotFound if it is not active."""
        tenant = self.get_tenant(tenant_id)
        tenant.revoke_key(key_id, at)
        self.store.commit(tenant)
        return tenant

    def get_tenant(self, tenant_id: str) -> Tenant:
        """The stored tenant; TenantNotFound if there is none."""
        try:
            found = self.store.find(Tenant.id_for(tenant_id))
        except ValueError:
            found = None
        if not isinstance(found, Tenant):
            raise TenantNotFound(tenant_id)
        return found

    @serialized
    def list_tenants(self) -> list[Tenant]:
        """Every tenant, by id (one read per tenant after the log's catch-up)."""
        self.board.current()
        return [self.get_tenant(tenant_id) for tenant_id in sorted(self.directory.tenant_ids)]

    @serialized
    def tenant_of_key(self, key: str) -> str | None:
        """The tenant whose active stored key `key` is, as of the log now; None if none."""
        self.board.current()
        return self.directory.owner(key)
