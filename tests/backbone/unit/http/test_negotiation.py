"""Which offered media type an Accept header prefers."""

from __future__ import annotations

import pytest

from backbone.http.negotiation import preferred

OFFERS = ("application/json", "text/plain", "application/openmetrics-text")


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "application/json"),
        ("", "application/json"),
        ("*/*", "application/json"),
        ("text/plain", "text/plain"),
        ("text/*", "text/plain"),
        ("application/json;q=0.5, text/plain", "text/plain"),
        ("text/plain;q=0.5, application/json", "application/json"),
        ("text/plain, application/json", "application/json"),  # a tie: the first offer
        # what Prometheus sends
        (
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
            "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
            "application/openmetrics-text",
        ),
        ("TEXT/PLAIN", "text/plain"),
        ("*/*;q=0.1, application/json;q=0", "text/plain"),
        ("text/plain;q=abc, application/json;q=0.2", "application/json"),
        ("image/png", None),
        ("application/json;q=0", None),
        (",,;;,=", None),
    ],
)
def test_the_preferred_offer(accept: str | None, chosen: str | None) -> None:
    assert preferred(accept, OFFERS) == chosen


def test_no_offers_nothing_preferred() -> None:
    assert preferred("*/*", ()) is None
