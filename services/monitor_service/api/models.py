"""What a client may send: the query strings of the monitor's read endpoints, checked first.

Every query model forbids unknown parameters. Times are ISO 8601 (no offset means UTC). `as_of`
rebuilds the read model from the audit log as it stood then: only what the monitor had recorded
by that time counts.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from backbone.http.params import IsoTime, Token
from monitor_service.domain.audit_index import MAX_PAGE

QUERY = ConfigDict(extra="forbid", use_attribute_docstrings=True)
DetailType = Annotated[str, StringConstraints(pattern=r"^[ -~]{1,128}$")]
"""An EventBridge detail-type, e.g. JobSubmitted or "EMR Step Status Change"."""


class AsOfQuery(BaseModel):
    """GET /health and GET /audit/jobs/{job_id}."""

    model_config = QUERY

    as_of: IsoTime | None = None
    """Answer from the audit log as it stood at this time; now if left out."""


class DeadLettersQuery(BaseModel):
    """GET /dead-letters."""

    model_config = QUERY

    queue: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,80}$")] | None = None
    """Only this consumer queue's dead letters; every queue's if left out."""


class Redrive(BaseModel):
    """POST /dead-letters/redrive: send dead letters back to the queue they came from."""

    model_config = QUERY

    queue: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,80}$")] | None = None
    """Only this consumer queue's dead letters; every queue's if left out."""


class MetricsQuery(AsOfQuery):
    """GET /metrics."""

    format: Literal["json", "prometheus"] | None = None
    """json or prometheus (the text exposition format); left out, the Accept header decides."""


class AuditEventsQuery(AsOfQuery):
    """GET /audit/events: events by the time they happened, oldest first, a page at a time."""

    start: IsoTime | None = Field(default=None, alias="from")
    """Events that happened at or after this time."""
    end: IsoTime | None = Field(default=None, alias="to")
    """Events that happened before this time."""
    type: DetailType | None = None
    """Only events of this detail-type."""
    job_id: Token | None = None
    """Only events about this job (its own, and those naming it: its EMR steps, its breach)."""
    tenant: Token | None = None
    """Only events of this tenant."""
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 100
    next_token: Annotated[str, StringConstraints(max_length=1024)] | None = None
    """The previous page's next_token; every other parameter but limit must stay the same."""


class JobHistoryQuery(AsOfQuery):
    """GET /audit/jobs: one row per job submitted in [from, to), oldest first, a page at a time."""

    start: IsoTime | None = Field(default=None, alias="from")
    """Jobs submitted at or after this time."""
    end: IsoTime | None = Field(default=None, alias="to")
    """Jobs submitted before this time."""
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 100
    next_token: Annotated[str, StringConstraints(max_length=1024)] | None = None
    """The previous page's next_token; from, to and as_of must stay the same."""
