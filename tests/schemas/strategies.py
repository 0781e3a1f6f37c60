"""Hypothesis strategies for the integration events, read from the models' field constraints."""

import types
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types as at
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from pydantic import AwareDatetime, BaseModel, StringConstraints, ValidationError

SLOW_MACHINE_SAFE = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
"""Timing is not what these tests check: no deadline, so a busy CI machine cannot fail them."""

_OFFSETS = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
AWARE_DATETIMES = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=_OFFSETS
)


def events_of(model: type[BaseModel]) -> st.SearchStrategy[Any]:
    """Valid instances of the model (model validators included)."""
    return field_values(model).filter(_valid_for(model)).map(model.model_validate)


def field_values(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments for the model: every required field, optional ones sometimes."""
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, info in model.model_fields.items():
        strategy = for_type(info.annotation, info.metadata)
        (required if info.is_required() else optional)[name] = strategy
    return st.fixed_dictionaries(required, optional=optional)


def for_type(annotation: Any, metadata: list[Any] | tuple[Any, ...] = ()) -> st.SearchStrategy[Any]:
    """Values of a type, honouring pydantic and annotated-types constraints."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return for_type(args[0], [*args[1:], *metadata])
    if origin in (Union, types.UnionType):
        return st.one_of([for_type(arg) for arg in args])
    if origin is Literal:
        return st.sampled_from(args)
    if origin is tuple:
        return st.lists(for_type(args[0]), max_size=4).map(tuple)
    if origin is dict:
        return st.dictionaries(for_type(args[0]), for_type(args[1]), max_size=4)
    return _scalar(annotation, _bounds(metadata))


def _scalar(annotation: Any, bounds: dict[str, Any]) -> st.SearchStrategy[Any]:
    if annotation is type(None):
        return st.none()
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return st.integers(min_value=bounds.get("ge"), max_value=bounds.get("le", 10**12))
    if annotation is float:
        return _floats(bounds)
    if annotation is str:
        return _strings(bounds)
    if annotation is AwareDatetime:
        return AWARE_DATETIMES
    raise NotImplementedError(f"no strategy for {annotation!r}")


def _floats(bounds: dict[str, Any]) -> st.SearchStrategy[float]:
    low = max(bounds.get("ge", float("-inf")), bounds.get("gt", float("-inf")))
    return st.floats(
        min_value=None if low == float("-inf") else low,
        max_value=1e12,
        exclude_min="gt" in bounds and bounds["gt"] >= bounds.get("ge", bounds["gt"]),
        allow_nan=False,
        allow_infinity=False,
    )


def _strings(bounds: dict[str, Any]) -> st.SearchStrategy[str]:
    low, high = bounds.get("min_length") or 0, bounds.get("max_length") or 64
    if bounds.get("pattern"):
        return st.from_regex(bounds["pattern"], fullmatch=True).filter(
            lambda text: low <= len(text) <= high
        )
    return st.text(min_size=low, max_size=min(high, 64))


def _bounds(metadata: list[Any] | tuple[Any, ...]) -> dict[str, Any]:
    """Constraints from annotated-types and StringConstraints, as keyword-like names."""
    bounds: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, StringConstraints):
            fields = ("min_length", "max_length", "pattern")
            bounds.update({key: getattr(item, key) for key in fields if getattr(item, key)})
        elif isinstance(item, at.Ge | at.Gt | at.Le | at.MinLen | at.MaxLen):
            key = type(item).__name__.lower()
            key = {"minlen": "min_length", "maxlen": "max_length"}.get(key, key)
            bounds[key] = getattr(item, key)
    return bounds


def _valid_for(model: type[BaseModel]) -> Any:
    def valid(values: dict[str, Any]) -> bool:
        try:
            model.model_validate(values)
        except ValidationError:
            return False
        return True

    return valid
