"""The REST webhook's bearer-token check, standard library only (unit-tested without Rasa)."""

from __future__ import annotations

import hmac


def bearer_token_matches(authorization: str | None, expected: str) -> bool:
    """Whether an ``Authorization`` header carries ``expected``, compared in constant time."""
    scheme, _, token = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip().encode(), expected.encode()
    )
