"""Which events a consumer definition's rules route, by EventBridge's matching of our patterns.

Checks (a service's handlers against its subscriptions, a definition against what design.md
says) ask this; on AWS, EventBridge itself does the matching.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backbone.messaging.definitions import ConsumerDefinition
from events import schemas as ev


def detail_types(definition: ConsumerDefinition) -> frozenset[str]:
    """Every detail-type (ours and AWS's) some subscription of the definition matches."""
    known = [(src, name) for name, model in ev.REGISTRY.items() for src in model.sources()]
    return frozenset(
        name
        for src, name in [*known, *ev.AWS_REGISTRY]
        if any(
            matches(s.event_pattern, {"source": src, "detail-type": name})
            for s in definition.subscriptions
        )
    )


def matches(pattern: Mapping[str, Any], event: Mapping[str, str]) -> bool:
    """EventBridge matching for flat fields and the exact and prefix matchers our rules use."""

    def one(expected: Any, value: str) -> bool:
        if isinstance(expected, dict) and set(expected) == {"prefix"}:
            return value.startswith(expected["prefix"])
        if isinstance(expected, str):
            return expected == value
        raise ValueError(f"cannot evaluate pattern value {expected!r}")

    return all(key in event and any(one(v, event[key]) for v in pattern[key]) for key in pattern)
