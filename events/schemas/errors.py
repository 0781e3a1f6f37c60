"""Errors raised while reading or writing events."""


class EventSchemaError(Exception):
    """Base of the errors this package raises (pydantic's ValidationError aside)."""


class UnknownEventType(EventSchemaError, LookupError):
    """No model is registered for this detail-type (and source)."""

    def __init__(self, detail_type: str, source: str | None = None) -> None:
        where = f" from source {source!r}" if source else ""
        super().__init__(f"no event model for detail-type {detail_type!r}{where}")
        self.detail_type = detail_type
        self.source = source


class SourceMismatch(EventSchemaError, ValueError):
    """An envelope's source is not one its detail-type is published under."""

    def __init__(self, detail_type: str, source: str, expected: tuple[str, ...]) -> None:
        super().__init__(f"{detail_type} came from {source!r}, expected one of {list(expected)}")
        self.detail_type = detail_type
        self.source = source
        self.expected = expected


class EventTooLarge(EventSchemaError, ValueError):
    """A PutEvents entry is over EventBridge's 256 KiB limit."""

    def __init__(self, detail_type: str, size: int, limit: int) -> None:
        super().__init__(f"{detail_type} entry is {size} bytes, over the {limit}-byte limit")
        self.detail_type = detail_type
        self.size = size
        self.limit = limit
