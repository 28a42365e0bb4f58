"""Sentence splitting for quoting: the policy's short, plain sentences need no NLP library."""

from __future__ import annotations

import re

# A sentence ends at . ! ? (optionally closed by a quote or bracket) followed by a space
# and a capital, digit or quote; "e.g." and "etc." inside brackets are not ends.
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[A-Z0-9\"'“(])")
_ABBREVIATIONS = ("etc.", "e.g.", "i.e.", "Inc.", "Ltd.")
_LIST_NUMBER = re.compile(r"^\d+\.$")
_LIST_ITEM = re.compile(r"^\d+\. ")


def split_sentences(text: str) -> list[str]:
    """Split clause text into sentences, keeping each sentence's own wording."""
    pieces: list[str] = []
    for line in text.splitlines():
        for piece in _BOUNDARY.split(line.strip()):
            previous = pieces[-1] if pieces else ""
            if previous.endswith(_ABBREVIATIONS) or _LIST_NUMBER.match(previous):
                pieces[-1] = f"{pieces[-1]} {piece}"
            elif _LIST_ITEM.match(previous) and (
                _LIST_NUMBER.match(piece) or _LIST_NUMBER.match(previous.rsplit(" ", 1)[-1])
            ):
                # A numbered list is quoted as one piece, not item by item.
                pieces[-1] = f"{pieces[-1]} {piece}"
            elif piece.strip():
                pieces.append(piece.strip())
    return pieces
