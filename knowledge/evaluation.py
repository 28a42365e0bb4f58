"""Measure retrieval on question sets: hit@1, hit@3, MRR and refusals.

A question set is JSON lines of ``{"question": str, "expected": [clause ids]}``; an empty
``expected`` marks a question the policy does not answer. ``dev.jsonl`` is for tuning,
``heldout.jsonl`` only for reporting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from knowledge.retrieval import Answer, Retriever
from knowledge.settings import QUESTION_SETS


@dataclass(frozen=True)
class Question:
    question: str
    expected: tuple[str, ...]

    @property
    def answerable(self) -> bool:
        return bool(self.expected)


def load_questions(name: str) -> list[Question]:
    """Read the question set ``name`` (``dev`` or ``heldout``)."""
    lines = (QUESTION_SETS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [
        Question(row["question"], tuple(row["expected"]))
        for row in map(json.loads, filter(str.strip, lines))
    ]


def _rank_of(answer: Answer, expected: tuple[str, ...]) -> int | None:
    for rank, hit in enumerate(answer.hits, start=1):
        if hit.clause.id in expected:
            return rank
    return None


def evaluate(retriever: Retriever, questions: list[Question], misses: int = 10) -> dict:
    """Score ``retriever`` on ``questions``; returns figures and the worst misses."""
    answerable = [q for q in questions if q.answerable]
    silent = [q for q in questions if not q.answerable]
    hit1 = hit3 = reciprocal = refused = 0.0
    worst: list[dict] = []
    for q in answerable:
        answer = retriever.ask(q.question)
        rank = _rank_of(answer, q.expected)
        hit1 += rank == 1
        hit3 += rank is not None and rank <= 3
        reciprocal += 1 / rank if rank else 0
        refused += not answer.answerable
        if rank != 1:
            got = answer.hits[0].clause.id if answer.hits else None
            score = answer.hits[0].score if answer.hits else 0.0
            worst.append(
                {
                    "question": q.question,
                    "expected": list(q.expected),
                    "got": got,
                    "rank": rank,
                    "score": round(score, 3),
                }
            )
    flagged = sum(not retriever.ask(q.question).answerable for q in silent)
    true_refusals = flagged
    all_refusals = flagged + refused
    worst.sort(key=lambda m: (m["rank"] is not None, -m["score"]))
    n = max(len(answerable), 1)
    return {
        "answerable": len(answerable),
        "unanswerable": len(silent),
        "hit@1": round(hit1 / n, 4),
        "hit@3": round(hit3 / n, 4),
        "mrr": round(reciprocal / n, 4),
        "unanswerable_recall": round(true_refusals / max(len(silent), 1), 4),
        "unanswerable_precision": round(true_refusals / all_refusals, 4) if all_refusals else 1.0,
        "answerable_refused": round(refused / n, 4),
        "worst_misses": worst[:misses],
    }
