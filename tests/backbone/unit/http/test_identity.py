"""The caller: from an authorizer's claims alone when there is one, else from the API key."""

from __future__ import annotations

from typing import Any

import pytest

from backbone.http.errors import ApiError
from backbone.http.identity import Identity, InvalidApiKeys, key_owner, parse_api_keys

IDENTITY = Identity(("operator_id", "sub"), {"key-of-alice": "alice"}, key_name="an operator key")


def _denied(context: dict[str, Any], headers: dict[str, str]) -> ApiError:
    with pytest.raises(ApiError) as caught:
        IDENTITY.principal(context, headers)
    assert caught.value.status == 401
    return caught.value


@pytest.mark.parametrize(
    "authorizer",
    [
        {"operator_id": "bob"},
        {"lambda": {"operator_id": "bob"}},
        {"claims": {"sub": "bob"}},
        {"operator_id": "has space", "sub": "bob"},
    ],
)
def test_an_authorizer_names_the_principal_in_any_of_its_scopes(authorizer: Any) -> None:
    assert IDENTITY.principal({"authorizer": authorizer}, {"x-api-key": "key-of-alice"}) == "bob"


def test_an_authorizer_without_a_usable_claim_is_refused_even_with_a_good_key() -> None:
    error = _denied({"authorizer": {"principalId": "bob"}}, {"x-api-key": "key-of-alice"})
    assert error.field is None and "operator_id or sub" in error.message


def test_without_an_authorizer_the_key_names_the_principal() -> None:
    assert IDENTITY.principal({}, {"x-api-key": "key-of-alice"}) == "alice"
    assert IDENTITY.principal({"authorizer": {}}, {"X-Api-Key": "key-of-alice"}) == "alice"


def test_a_missing_or_unknown_key_is_refused_naming_the_header() -> None:
    assert _denied({}, {}).message == "send an operator key in the X-Api-Key header"
    unknown = _denied({}, {"x-api-key": "key-of-eve"})
    assert unknown.field == "X-Api-Key" and "no known API key" in unknown.message


def test_key_owner_compares_every_key() -> None:
    keys = {"k1-xxxxxxx": "a", "k2-xxxxxxx": "b"}
    assert key_owner("k2-xxxxxxx", keys) == "b"
    assert key_owner("k2-xxxxxx\udcff", keys) is None  # not UTF-8: no error, no match


def test_api_keys_are_parsed_from_owner_equals_key_and_bare_keys() -> None:
    parsed = parse_api_keys(" local-key-1 , ops=ops-key-22,", "KEYS", bare_owner="operator")
    assert parsed == {"local-key-1": "operator", "ops-key-22": "ops"}
    assert parse_api_keys("", "KEYS") == {}


@pytest.mark.parametrize(
    "raw", ["secret-key-1", "a=short", "bad owner=long-enough-key", "a=same-key-1,b=same-key-1"]
)
def test_unusable_api_keys_name_the_setting_and_never_the_key(raw: str) -> None:
    with pytest.raises(InvalidApiKeys) as caught:
        parse_api_keys(raw, "TENANT_API_KEYS")
    assert "TENANT_API_KEYS" in str(caught.value)
    assert "secret-key-1" not in str(caught.value)
