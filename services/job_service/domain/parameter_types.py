"""The declared type of a step template's placeholder: what a job's parameter may hold.

A job profile declares a type for each placeholder of its step template; a submission whose
value does not fit is refused (InvalidParameter, naming the parameter and what to send). The
types, each a small dict in the API and in stored events:

| type | value | options |
|---|---|---|
| string | text | `pattern` (a regular expression the whole value must match), `max_length` |
| integer | a whole number (not true/false) | `minimum`, `maximum` |
| number | a finite number, whole or not | `minimum`, `maximum` |
| date | text `YYYY-MM-DD`, a real calendar date | none |
| enum | one of `values` (text) | `values` (required) |
| boolean | true or false (rendered as true/false) | none |

A placeholder a profile does not declare takes any plain value, as before types were declared:
profiles stored before then still load and run; the API refuses a new profile or a replacement
that leaves a placeholder undeclared. Types only narrow what a value may be: the step
template's rules (one argument per value, no option made of a value) hold for every type.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Literal, get_args

from job_service.domain.errors import InvalidParameter, ProfileError
from job_service.domain.values import ParameterValue

TypeName = Literal["string", "integer", "number", "date", "enum", "boolean"]
TYPE_NAMES: Final[tuple[TypeName, ...]] = get_args(TypeName)
MAX_PATTERN_CHARS: Final = 256
MAX_ENUM_VALUES: Final = 256
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_OPTIONS: Final[dict[str, frozenset[str]]] = {
    "string": frozenset({"pattern", "max_length"}),
    "integer": frozenset({"minimum", "maximum"}),
    "number": frozenset({"minimum", "maximum"}),
    "date": frozenset(),
    "enum": frozenset({"values"}),
    "boolean": frozenset(),
}


@dataclass(frozen=True)
class ParameterType:
    """One placeholder's declared type and its options; checked on construction."""

    type: TypeName
    pattern: str | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    values: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.type not in TYPE_NAMES:
            raise ProfileError(f"parameters must declare a type among {TYPE_NAMES}")
        given = ("pattern", "max_length", "minimum", "maximum", "values")
        used = {name for name in given if getattr(self, name) is not None}
        if extra := used - _OPTIONS[self.type]:
            allowed = sorted(_OPTIONS[self.type]) or "none"
            raise ProfileError(
                f"parameters of type {self.type} take the options {allowed}, not {sorted(extra)}"
            )
        self._check_options()

    def _check_options(self) -> None:
        if self.pattern is not None:
            if len(self.pattern) > MAX_PATTERN_CHARS:
                raise ProfileError(f"parameters' pattern must be at most {MAX_PATTERN_CHARS}")
            try:
                re.compile(self.pattern)
            except re.error as error:
                message = f"parameters' pattern is not a regular expression: {error}"
                raise ProfileError(message) from None
        if self.max_length is not None and self.max_length < 1:
            raise ProfileError("parameters' max_length must be at least 1")
        for bound in (self.minimum, self.maximum):
            if bound is not None and (isinstance(bound, bool) or not math.isfinite(bound)):
                raise ProfileError("parameters' minimum and maximum must be finite numbers")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ProfileError("parameters' minimum must not be above their maximum")
        if self.type == "enum":
            values = self.values or ()
            if not 1 <= len(values) <= MAX_ENUM_VALUES or not all(
                isinstance(v, str) for v in values
            ):
                raise ProfileError(f"parameters of type enum need 1 to {MAX_ENUM_VALUES} values")
            object.__setattr__(self, "values", tuple(values))

    def check(self, name: str, value: ParameterValue) -> None:
        """InvalidParameter, naming `name` and what to send, unless `value` fits the type."""
        why = self._misfit(value)
        if why is not None:
            raise InvalidParameter(name, f"{why}, not {value!r}")

    def _misfit(self, value: ParameterValue) -> str | None:
        """What the value must be, if it is not."""
        if self.type == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                return f"must be a whole number{self._range()}"
            return self._out_of_range(value)
        if self.type == "boolean":
            return None if isinstance(value, bool) else "must be true or false"
        if self.type == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                return f"must be a number{self._range()}"
            if not math.isfinite(value):
                return "must be a finite number"
            return self._out_of_range(value)
        if not isinstance(value, str):
            return f"must be text ({self.type})"
        if self.type == "date":
            return None if _is_date(value) else "must be a date as YYYY-MM-DD"
        if self.type == "enum":
            values = self.values or ()
            return None if value in values else f"must be one of {list(values)}"
        if self.max_length is not None and len(value) > self.max_length:
            return f"must be at most {self.max_length} characters"
        if self.pattern is not None and re.fullmatch(self.pattern, value) is None:
            return f"must match the pattern {self.pattern!r}"
        return None

    def _range(self) -> str:
        low, high = self.minimum, self.maximum
        if low is not None and high is not None:
            return f" from {_plain(low)} to {_plain(high)}"
        if low is not None:
            return f" of at least {_plain(low)}"
        return "" if high is None else f" of at most {_plain(high)}"

    def _out_of_range(self, value: float) -> str | None:
        low, high = self.minimum, self.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            return f"must be a {'whole number' if self.type == 'integer' else 'number'}" + (
                self._range()
            )
        return None

    def as_fields(self) -> dict[str, Any]:
        """The type as plain values (only the options it has), for stored events and the API."""
        fields: dict[str, Any] = {"type": self.type}
        for name in ("pattern", "max_length", "minimum", "maximum"):
            if getattr(self, name) is not None:
                fields[name] = getattr(self, name)
        if self.values is not None:
            fields["values"] = list(self.values)
        return fields

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> ParameterType:
        values = fields.get("values")
        rest = {k: v for k, v in fields.items() if k != "values"}
        return cls(**rest, values=None if values is None else tuple(values))


def _is_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(number)
