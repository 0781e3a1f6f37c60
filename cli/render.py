"""Plain-text output: aligned tables, key/value blocks, JSON, durations and times."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

Row = Sequence[Any]


def table(headers: Sequence[str], rows: Sequence[Row]) -> str:
    """Columns left-aligned and padded to their widest cell; None shows as '-'."""
    cells = [[cell_text(value) for value in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        widths = [max(width, len(text)) for width, text in zip(widths, row, strict=True)]
    lines = [_line(headers, widths), *(_line(row, widths) for row in cells)]
    return "\n".join(lines)


def _line(values: Sequence[str], widths: Sequence[int]) -> str:
    cells = (value.ljust(width) for value, width in zip(values, widths, strict=True))
    return "  ".join(cells).rstrip()


def cell_text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={cell_text(v)}" for k, v in value.items()) or "-"
    if isinstance(value, list | tuple):
        return ", ".join(cell_text(v) for v in value) or "-"
    return str(value)


def key_values(pairs: Sequence[tuple[str, Any]]) -> str:
    """`key: value` lines with the values aligned."""
    width = max((len(key) for key, _ in pairs), default=0)
    return "\n".join(f"{key + ':':<{width + 1}} {cell_text(value)}" for key, value in pairs)


def dumps(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=False, default=str)


def records(rows: Sequence[Mapping[str, Any]]) -> str:
    """A list of JSON objects as a table whose columns are their keys, in first-seen order."""
    headers: list[str] = []
    for row in rows:
        headers += [key for key in row if key not in headers]
    if not headers:
        return "(none)"
    return table([h.upper() for h in headers], [[row.get(h) for h in headers] for row in rows])


def parse_time(text: str | None) -> datetime | None:
    """An API time (ISO 8601, 'Z' for UTC) as an aware datetime."""
    if not text:
        return None
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def seconds_between(start: str | None, end: str | None) -> float | None:
    begun, ended = parse_time(start), parse_time(end)
    if begun is None or ended is None:
        return None
    return (ended - begun).total_seconds()


def duration(seconds: float | None) -> str:
    """1.2s, 42s, 3m05s, 2h01m."""
    if seconds is None:
        return "-"
    if seconds < 10:
        return f"{seconds:.1f}s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def short_time(text: str | None) -> str:
    """An API time as local HH:MM:SS."""
    at = parse_time(text)
    return "-" if at is None else at.astimezone().strftime("%H:%M:%S")
