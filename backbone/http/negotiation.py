"""Content negotiation: which of the media types an API can answer an Accept header prefers.

Each offer gets the quality of the most specific range that matches it (type/subtype, then
type/*, then */*; parameters other than q are ignored). The offer of highest quality above 0
wins; a tie goes to the offer listed first. A malformed q counts as 0 for its range only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

MAX_RANGES: Final = 64
"""Ranges of an Accept header beyond this many are ignored."""


def preferred(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer `accept` prefers; the first offer when it is absent; None if none is wanted."""
    if not offers:
        return None
    if accept is None or not accept.strip():
        return offers[0]
    ranges = [_parse(part) for part in accept.split(",")[:MAX_RANGES] if part.strip()]
    best, best_quality = None, 0.0
    for offer in offers:
        quality = _quality(offer.lower(), ranges)
        if quality > best_quality:
            best, best_quality = offer, quality
    return best


def _parse(part: str) -> tuple[str, float]:
    media, *params = (piece.strip() for piece in part.split(";"))
    quality = 1.0
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            quality = _q(value.strip())
    return media.lower(), quality


def _q(value: str) -> float:
    try:
        quality = float(value)
    except ValueError:
        return 0.0
    return quality if 0.0 <= quality <= 1.0 else 0.0


def _quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    kind = offer.partition("/")[0]
    found, specificity = 0.0, -1
    for media, quality in ranges:
        if media == offer:
            rank = 2
        elif media == f"{kind}/*":
            rank = 1
        elif media == "*/*":
            rank = 0
        else:
            continue
        if rank > specificity:
            found, specificity = quality, rank
    return found
