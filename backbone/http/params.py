"""Query parameter types: what a URL may carry, checked and parsed before an action runs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Final

from pydantic import PlainValidator, StringConstraints, WithJsonSchema

FIRST_YEAR: Final = 1970
LAST_YEAR: Final = 9998
"""Times are refused unless their year, as written, is FIRST_YEAR to LAST_YEAR (in UTC within a
day of those), so that arithmetic on them never overflows; the document's pattern says so."""
YEAR_PATTERN: Final = r"^(19[7-9][0-9]|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-"
"""Years FIRST_YEAR to LAST_YEAR at the start of an ISO 8601 time."""


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
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"must be a time from the year {FIRST_YEAR} to {LAST_YEAR}")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


IsoTime = Annotated[
    datetime,
    PlainValidator(parse_iso_time),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": YEAR_PATTERN}),
]
"""A time in a query string: ISO 8601, e.g. 2024-01-31T12:00:00Z."""

TOKEN_PATTERN: Final = r"^[!-~]{1,256}$"
Token = Annotated[str, StringConstraints(pattern=TOKEN_PATTERN)]
"""An identifier in a URL: 1 to 256 printable ASCII characters, no spaces."""
