"""Query parameter types: what a URL may carry, checked and parsed before an action runs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Final

from pydantic import PlainValidator, StringConstraints, WithJsonSchema

EARLIEST: Final = datetime(1970, 1, 1, tzinfo=UTC)
LATEST: Final = datetime(9999, 1, 1, tzinfo=UTC)
"""Times are refused outside [EARLIEST, LATEST), so that arithmetic on them never overflows."""


def parse_iso_time(value: object) -> datetime:
    """An ISO 8601 time (a date alone is its midnight; no offset means UTC), as an aware time."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and len(value) <= 64:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("must be an ISO 8601 time, e.g. 2024-01-31T12:00:00Z") from None
    else:
        raise ValueError("must be an ISO 8601 time, e.g. 2024-01-31T12:00:00Z")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if not EARLIEST <= moment < LATEST:
        raise ValueError("must be a time from 1970 up to the year 9999")
    return moment


IsoTime = Annotated[
    datetime,
    PlainValidator(parse_iso_time),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A time in a query string: ISO 8601, e.g. 2024-01-31T12:00:00Z."""

TOKEN_PATTERN: Final = r"^[!-~]{1,256}$"
Token = Annotated[str, StringConstraints(pattern=TOKEN_PATTERN)]
"""An identifier in a URL: 1 to 256 printable ASCII characters, no spaces."""
