"""Measure retrieval on question sets: hit@1, hit@3, MRR and refusals.

A question set is JSON lines of ``{"question": str, "expected": [clause ids]}``; an empty
``expected`` marks a question the policy does not answer. ``dev.jsonl`` is for tuning
(and fitting the answerability model), ``heldout.jsonl`` only for reporting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from knowledge.answerability import FEATURES, Answerability, fit
from knowledge.retrieval import Answer, Retriever
from settings import QUESTION_SETS

CALIBRATION_SET = "dev"


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


def calibrate(retriever: Retriever, names: tuple[str, ...] = FEATURES) -> Answerability:
    """Fit an answerability model for ``retriever`` on the calibration questions."""
    questions = load_questions(CALIBRATION_SET)
    features = np.array([retriever.features(q.question) for q in questions])
    labels = np.array([q.answerable for q in questions])
    return fit(features, labels, names)


def _rank_of(answer: Answer, expected: tuple[str, ...]) -> int | None:
    for rank, hit in enumerate(answer.hits, start=1):
        if hit.clause.id in expected:
            return rank
    return None


def _miss(question: Question, answer: Answer, rank: int | None) -> dict:
    top = answer.hits[0] if answer.hits else None
    return {
        "question": question.question,
        "expected": list(question.expected),
        "got": top.clause.id if top else None,
        "rank": rank,
        "score": round(top.score, 3) if top else 0.0,
    }


def evaluate(retriever: Retriever, questions: list[Question], misses: int = 10) -> dict:
    """Score ``retriever`` on ``questions``; returns figures and the worst misses."""
    ranks, refused, worst = [], 0, []
    flagged = 0
    for q in questions:
        answer = retriever.ask(q.question)
        if not q.answerable:
            flagged += not answer.answerable
            continue
        rank = _rank_of(answer, q.expected)
        ranks.append(rank)
        refused += not answer.answerable
        if rank != 1:
            worst.append(_miss(q, answer, rank))
    worst.sort(key=lambda m: (m["rank"] is not None, -m["score"]))
    n, silent = max(len(ranks), 1), sum(not q.answerable for q in questions)
    refusals = flagged + refused
    return {
        "answerable": len(ranks),
        "unanswerable": silent,
        "hit@1": round(sum(r == 1 for r in ranks) / n, 4),
        "hit@3": round(sum(r is not None and r <= 3 for r in ranks) / n, 4),
        "mrr": round(sum(1 / r for r in ranks if r) / n, 4),
        "unanswerable_recall": round(flagged / max(silent, 1), 4),
        "unanswerable_precision": round(flagged / refusals, 4) if refusals else 1.0,
        "answerable_refused": round(refused / n, 4),
        "worst_misses": worst[:misses],
    }
