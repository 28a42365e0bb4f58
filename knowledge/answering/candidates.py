"""Rank the clauses for a question: cosine similarity of the fine-tuned question vector
to each clause's texts (its own words, each of its sentences, each alias), a clause
scoring as its best text. With 56 clauses and some 800 texts FAISS searches them all
exactly (IndexFlatIP): no approximation to tune."""

from __future__ import annotations

import numpy as np

from knowledge.index import ClauseIndex


def clause_scores(index: ClauseIndex, query: np.ndarray) -> np.ndarray:
    """Each clause's best cosine similarity over its texts, in clause order."""
    scores, views = index.vectors.search(query[None, :], index.vectors.ntotal)
    best = np.full(len(index.clauses), -1.0, dtype=np.float32)
    np.maximum.at(best, index.view_owner[views[0]], scores[0])
    return best


def ranking(scores: np.ndarray) -> list[int]:
    """Clause positions, best first (ties in the policy's order)."""
    return [int(p) for p in np.argsort(-scores, kind="stable")]
