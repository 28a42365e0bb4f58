"""Measure the answer path on question sets, without Rasa: hit@1, hit@3, MRR, verdicts.

This is retrieval-level (``knowledge.answering.pipeline`` called directly); what the
customer sees through the NLU and dialogue is measured by ``tools/answer_eval.py``.
"""

from __future__ import annotations

from collections.abc import Iterable

from knowledge.answering.pipeline import Answer, Pipeline
from knowledge.question_sets import Question, normalise


def quotes_evidence(quote: str, evidence: Iterable[str]) -> bool:
    """Does ``quote`` hold one of the evidence strings (each exact in the policy)?"""
    text = normalise(quote)
    return any(normalise(e) in text for e in evidence if e.strip())


def rank_of(answer: Answer, expected: set[str]) -> int | None:
    """Where the first expected clause is ranked (1 is first), or None if not in the hits."""
    for rank, hit in enumerate(answer.hits, start=1):
        if hit.clause.id in expected:
            return rank
    return None


def _share(count: int, total: int) -> float | None:
    return round(count / total, 4) if total else None


def evaluate(pipeline: Pipeline, questions: list[Question], misses: int = 10) -> dict:
    """Score ``pipeline`` on ``questions``; returns figures and the worst misses."""
    ranks: list[int | None] = []
    answered = hedged = refused = 0
    told = near = near_hedged = 0
    worst = []
    for q in questions:
        answer = pipeline.ask(q.question, previous=q.previous)
        if not q.answerable:
            told += answer.verdict != "answer"
            near += bool(q.near)
            near_hedged += bool(q.near) and answer.verdict == "does_not_say"
            continue
        rank = rank_of(answer, pipeline.known(q.expected))
        ranks.append(rank)
        answered += rank == 1 and answer.verdict == "answer"
        hedged += rank == 1 and answer.verdict == "does_not_say"
        refused += answer.verdict == "silent"
        if rank != 1 or answer.verdict != "answer":
            top = answer.hits[0] if answer.hits else None
            worst.append(
                {
                    "question": q.question,
                    "expected": list(q.expected),
                    "got": top.clause.id if top else None,
                    "rank": rank,
                    "verdict": answer.verdict,
                    "none": round(answer.none, 3),
                }
            )
    n, unanswerable = len(ranks), len(questions) - len(ranks)
    return {
        "answerable": n,
        "unanswerable": unanswerable,
        "hit@1": _share(sum(r == 1 for r in ranks), n),
        "hit@3": _share(sum(r is not None and r <= 3 for r in ranks), n),
        "mrr": round(sum(1 / r for r in ranks if r) / n, 4) if n else None,
        "answered": _share(answered, n),
        "hedged": _share(hedged, n),
        "refused": _share(refused, n),
        "unanswerable_told": _share(told, unanswerable),
        "near_hedged": _share(near_hedged, near),
        "worst_misses": worst[:misses],
    }
