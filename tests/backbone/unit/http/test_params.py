"""ISO 8601 times in query strings: parsed to aware times, refused out of range or malformed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import BaseModel, ValidationError

from backbone.http.params import IsoTime, Token


class Query(BaseModel):
    at: IsoTime
    name: Token | None = None


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2024-01-31T12:00:00Z", datetime(2024, 1, 31, 12, tzinfo=UTC)),
        ("2024-01-31T13:00:00+01:00", datetime(2024, 1, 31, 12, tzinfo=UTC)),
        ("2024-01-31T12:00:00", datetime(2024, 1, 31, 12, tzinfo=UTC)),
        ("2024-01-31", datetime(2024, 1, 31, tzinfo=UTC)),
        ("2024-01-31T12:00:00.123456-05:00", datetime(2024, 1, 31, 17, 0, 0, 123456, tzinfo=UTC)),
    ],
)
def test_iso_times_are_parsed_no_offset_meaning_utc(text: str, moment: datetime) -> None:
    parsed = Query.model_validate({"at": text}).at
    assert parsed == moment and parsed.tzinfo is not None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "1700000000",
        "2024-13-01",
        "1969-12-31T23:59:59Z",
        "9999-06-01",
        "0001-01-01",
        "2024-01-31T12:00:00Z" + "0" * 60,
    ],
)
def test_other_values_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        Query.model_validate({"at": text})


def test_a_refused_time_leaves_room_for_arithmetic() -> None:
    latest = Query.model_validate({"at": "9998-12-31T23:59:59+00:00"}).at
    assert latest + timedelta(days=1) > latest
    offset = timezone(timedelta(hours=14))
    assert Query.model_validate({"at": datetime(2024, 1, 1, tzinfo=offset)}).at.tzinfo is offset


@pytest.mark.parametrize("name", ["", "a b", "x" * 257, "é"])
def test_a_token_is_printable_ascii_without_spaces(name: str) -> None:
    with pytest.raises(ValidationError):
        Query.model_validate({"at": "2024-01-01", "name": name})
