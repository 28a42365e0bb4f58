"""Mend misspelt policy words in a question before it is searched.

Customers type fast: "does the courrier get given my adress", "what details do u want
if i enter a competiton". A misspelt word is a word lost to BM25 and the word-by-word
match, and the dense model reads it as noise; one such word turned an answerable
question into "the policy doesn't cover that". Only a word that neither the policy (with
its aliases) nor an English dictionary knows is mended, and only into a word of the
policy, so a name, an acronym or an ordinary word the policy never uses is left as typed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib.resources import files

from symspellpy import SymSpell, Verbosity

# Shorter words are too often another real word one letter away ("wifi" -> "if").
MIN_LENGTH = 5
# Edits allowed to mend a word: one for a short word, two from this length on.
TWO_EDITS_FROM = 8
_WORD = re.compile(r"[A-Za-z]+")
_ENGLISH = "frequency_dictionary_en_82_765.txt"


@cache
def english_words() -> frozenset[str]:
    """SymSpell's English dictionary (82,765 words), shipped inside the package."""
    text = (files("symspellpy") / _ENGLISH).read_text(encoding="utf-8")
    return frozenset(line.split(" ", 1)[0] for line in text.splitlines() if line)


class Speller:
    """Mends words towards the vocabulary of ``texts`` (the clauses and their aliases)."""

    def __init__(self, texts: Iterable[str]) -> None:
        counts = Counter(w for t in texts for w in _WORD.findall(t.lower()))
        self._known = frozenset(counts) | english_words()
        self._symspell = SymSpell(max_dictionary_edit_distance=2)
        for word, count in counts.items():
            # A mended word may be one letter shorter than the typo ("dataa" -> "data").
            if len(word) >= MIN_LENGTH - 1:
                self._symspell.create_dictionary_entry(word, count)

    def correct(self, question: str) -> str:
        """``question`` with each mendable word replaced by its policy spelling."""
        return _WORD.sub(lambda match: self._mend(match.group(0), match.start()), question)

    def _mend(self, word: str, start: int) -> str:
        """``word`` (at ``start`` in the question) as the policy spells it, or as typed."""
        lower = word.lower()
        # A capital inside the sentence marks a name ("Verisign"); capitals, an acronym.
        named = word.isupper() or (start > 0 and word[0].isupper())
        if named or len(word) < MIN_LENGTH or lower in self._known:
            return word
        edits = 2 if len(word) >= TWO_EDITS_FROM else 1
        found = self._symspell.lookup(lower, Verbosity.TOP, max_edit_distance=edits)
        return found[0].term if found else word
