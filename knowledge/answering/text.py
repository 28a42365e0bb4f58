"""The question as it is searched: one line, and a follow-up read after its topic."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w", re.UNICODE)


def plain(text: str) -> str:
    """Whitespace collapsed: a question typed over three lines is the same question."""
    return " ".join(text.split())


def has_words(text: str) -> bool:
    """Anything to search for: "???" and "" have no words."""
    return bool(_WORD.search(text))


def in_context(question: str, previous: str | None) -> str:
    """A follow-up read after the question it leans on ("what cookies do you use? can I
    turn them off?"): the encoder was trained on follow-ups written this way."""
    return plain(f"{previous or ''} {question}")
