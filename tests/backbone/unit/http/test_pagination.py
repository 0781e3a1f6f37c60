"""next_token: round trip, bound to its filters, and a 400 for anything this API did not make."""

from __future__ import annotations

import base64
import json

import pytest

from backbone.http.errors import ApiError
from backbone.http.pagination import decode_token, encode_token

FILTERS = {"type": "JobSubmitted", "tenant": None}


def _raw(document: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


def test_a_token_gives_back_its_position_for_the_same_filters() -> None:
    assert decode_token(encode_token("1700:abc", FILTERS), FILTERS, str) == "1700:abc"
    assert decode_token(encode_token(42, {}), {}, int) == 42


@pytest.mark.parametrize(
    "token",
    [
        "not base64 !",
        _raw([1, 2]),
        _raw({"v": 2, "p": "x", "f": FILTERS}),
        _raw({"v": 1, "p": 7, "f": FILTERS}),
        _raw({"v": 1, "p": True, "f": FILTERS}),
        _raw({"v": 1, "p": "x", "f": FILTERS, "extra": 1}),
        encode_token("x", {"type": "JobStarted", "tenant": None}),
    ],
)
def test_a_token_this_api_did_not_make_for_these_filters_is_a_400(token: str) -> None:
    with pytest.raises(ApiError) as caught:
        decode_token(token, FILTERS, str, field="page")
    assert (caught.value.status, caught.value.code, caught.value.field) == (
        400,
        "invalid_next_token",
        "page",
    )


def test_a_token_for_other_filters_says_which_to_keep() -> None:
    with pytest.raises(ApiError) as caught:
        decode_token(encode_token("x", {"tenant": "a"}), {"tenant": "b"}, str)
    assert "send the same tenant as before" in caught.value.message
