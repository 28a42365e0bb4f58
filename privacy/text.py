"""Customer text as typed plainly, standard library only: every channel reads a message
with it before Rasa does, and the request form's checks read each answer with it."""

from __future__ import annotations

import unicodedata


def plain_text(text: str) -> str:
    """``text`` in Unicode's compatibility form (NFKC: full-width and styled letters,
    ligatures and odd digits as their plain ones) without invisible format characters
    (zero-width spaces and joiners, byte-order and direction marks)."""
    return "".join(
        c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) != "Cf"
    )
