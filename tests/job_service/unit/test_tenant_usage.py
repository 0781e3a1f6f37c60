"""Tenants' terms on the dispatch board (and through its checkpoint), and the cluster-hours the
usage projection counts for admission."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from job_service.application import DispatchBoard
from job_service.application.tenants import TenantDirectory
from job_service.application.usage import TenantUsage, month_start, split_by_month
from job_service.domain import Quotas, Tenant, TenantTerms
from job_service.domain.admission import Usage
from job_service.domain.tenancy import DEFAULT_TERMS
from tests.job_service.api_support import OPERATOR_KEY, ApiWorld
from tests.job_service.application_support import ready

AT = datetime(2026, 1, 31, 23, 0, tzinfo=UTC)


def test_the_board_holds_each_tenants_terms_through_its_checkpoint() -> None:
    # Given a board that applied a tenant's registration and a change of its terms
    terms = TenantTerms(2.5, frozenset({"low"}), Quotas(3, {"spark-small": 1}, 5, 10.5))
    tenant = Tenant.register("acme", TenantTerms(), AT)
    tenant.change(terms, AT)
    board = DispatchBoard()
    for number, event in enumerate(tenant.collect_events(), start=1):
        board.apply(event, number)
    # Then it gives those terms, the defaults to anyone else, and so does its checkpoint
    assert board.terms_of("acme") == terms
    assert board.terms_of("someone") is DEFAULT_TERMS
    restored = DispatchBoard.from_checkpoint(json.loads(json.dumps(board.checkpoint())))
    assert restored.terms_of("acme") == terms
    assert restored.checkpoint() == board.checkpoint()


def test_hours_across_a_months_end_count_in_each_month() -> None:
    parts = split_by_month(AT, AT + timedelta(hours=3))
    assert parts == [(month_start(AT), 1.0), (datetime(2026, 2, 1, tzinfo=UTC), 2.0)]
    december = datetime(2026, 12, 31, 12, tzinfo=UTC)
    assert [h for _, h in split_by_month(december, december + timedelta(days=1))] == [12.0, 12.0]
    assert split_by_month(AT, AT) == []


def test_the_tenant_observers_restore_from_a_checkpoint_as_they_were() -> None:
    # Given a tenant with a key, a job running on one of two slots and one waiting
    with ApiWorld() as world:
        world.create_profile()
        made = world.request("POST", "/tenants", {"name": "acme"}, key=OPERATOR_KEY).body
        world.submit(key=made["api_key"])
        world.deliver(ready("c-1", slots=2))
        world.submit(key=made["api_key"])
        world.advance(1800)
        reader = world.service.app.board
        state = json.loads(json.dumps(reader.checkpoint_state()))
        at = world.now
    # When fresh observers are restored from the checkpoint's state
    usage, directory = TenantUsage(), TenantDirectory()
    usage.restore(state["observers"][usage.checkpoint_key], state["position"])
    directory.restore(state["observers"][directory.checkpoint_key], state["position"])
    # Then they answer as the live ones did: one waiting, a quarter cluster-hour, the key known
    assert usage.usage("acme", at) == Usage(queued=1, cluster_hours=0.25)
    assert usage.state() == state["observers"][usage.checkpoint_key]
    assert directory.owner(made["api_key"]) == "acme" and directory.tenant_ids == {"acme"}
    assert usage.position == directory.position == state["position"]
