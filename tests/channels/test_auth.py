"""The REST webhook's bearer-token check."""

from __future__ import annotations

import pytest

from channels.auth import bearer_token_matches

TOKEN = "s3cret-token"


@pytest.mark.parametrize(
    "header",
    [f"Bearer {TOKEN}", f"bearer {TOKEN}", f"BEARER {TOKEN} ", f"Bearer  {TOKEN}"],
)
def test_the_token_is_accepted_in_any_case_of_the_scheme(header: str) -> None:
    assert bearer_token_matches(header, TOKEN)


@pytest.mark.parametrize(
    "header",
    [None, "", TOKEN, f"Basic {TOKEN}", "Bearer", "Bearer ", f"Bearer {TOKEN}x", "Bearer s3cret"],
)
def test_anything_else_is_refused(header: str | None) -> None:
    assert not bearer_token_matches(header, TOKEN)


def test_non_ascii_tokens_are_compared_without_error() -> None:
    assert not bearer_token_matches("Bearer tökén", TOKEN)
    assert bearer_token_matches("Bearer tökén", "tökén")
