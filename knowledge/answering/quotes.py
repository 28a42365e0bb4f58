"""What the customer is shown of a clause: the policy's own words, never a paraphrase.

A clause of up to ``WHOLE_CLAUSE_CHARS`` is quoted whole: every clause of the 2012
policy (the longest has 938 characters), because the answer to a follow-up is often
another sentence of the same clause. From a longer one, the sentences most like the
question: the best and those within ``QUOTE_MARGIN`` of it, at most
``MAX_QUOTE_SENTENCES``, in the policy's order.
"""

from __future__ import annotations

import numpy as np

from knowledge.index import ClauseIndex

WHOLE_CLAUSE_CHARS = 1000
MAX_QUOTE_SENTENCES = 3
QUOTE_MARGIN = 0.1  # cosine similarity: sentences this close to the best say as much


def quote(
    index: ClauseIndex,
    position: int,
    query: np.ndarray,
    whole_clause_chars: int = WHOLE_CLAUSE_CHARS,
) -> str:
    """The words of clause ``position`` that answer the question ``query`` stands for."""
    sentences = index.sentences[position]
    if len(index.clauses[position].text) <= whole_clause_chars:
        return " ".join(sentences)
    similarity = index.sentence_vectors_of(position) @ query
    ranked = np.argsort(-similarity, kind="stable")
    close = [int(i) for i in ranked if similarity[i] >= similarity[ranked[0]] - QUOTE_MARGIN]
    return " ".join(sentences[i] for i in sorted(close[:MAX_QUOTE_SENTENCES]))
