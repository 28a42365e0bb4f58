"""Train the follow-up detector (``knowledge.answering.follow_up``) on the train sets,
then choose where it cuts on the development sets.

Positives: the second turn of every follow-up in a train set, as typed (without its
first turn). Negatives: every other train question, answerable, silent or near-topic.
Classes are weighted to balance (there are about eight standalone questions to each
follow-up); C = 1 was compared on the development sets
(docs/experiments/2026-12-learned-answers.md). The cut is not fixed: given twice the
follow-ups to learn from (seventh round there), the detector at 0.5 joined three times
as many standalone questions to the one before them. It is chosen on the development
sets, like the answer thresholds: the cut that gets the first clause right for the
largest share of follow-ups (read after their first turn) and of answerable standalone
questions (read after a random other development question), the two shares weighted
alike.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

from knowledge import question_sets
from knowledge.answering.follow_up import FollowUpDetector
from knowledge.answering.pipeline import Pipeline
from knowledge.answering.text import in_context, plain
from knowledge.embedding import QuestionEncoder

REGULARISATION_C = 1.0
CUTS = tuple(round(0.05 * step, 2) for step in range(2, 19))  # 0.10 ... 0.90
SEED = 0


@dataclass(frozen=True)
class SecondTurn:
    """A question asked after another: whether the first clause is right read alone and
    read after the question before it, and how likely the detector says it leans on it."""

    leans: float
    right_alone: bool
    right_in_context: bool

    def right(self, cut: float) -> bool:
        return self.right_in_context if self.leans >= cut else self.right_alone


def labelled_turns() -> tuple[list[str], list[int]]:
    """Each train question as typed, and 1 if it leans on a turn before it."""
    texts, labels = [], []
    for question in question_sets.load_role("train"):
        texts.append(plain(question.question))
        labels.append(int(question.previous is not None))
    return texts, labels


def train_detector(encoder: QuestionEncoder) -> tuple[FollowUpDetector, dict]:
    """Fit the detector on the fine-tuned encoder's vectors; it and a short report."""
    texts, labels = labelled_turns()
    vectors = np.array([encoder.encode_one(text) for text in texts])
    model = LogisticRegression(
        C=REGULARISATION_C, class_weight="balanced", max_iter=2000, random_state=0
    ).fit(vectors, labels)
    detector = FollowUpDetector(tuple(model.coef_[0].tolist()), float(model.intercept_[0]))
    return detector, {"follow_ups": sum(labels), "standalone": len(labels) - sum(labels)}


def development_turns(seed: int = SEED) -> list[tuple[question_sets.Question, str]]:
    """Each development follow-up after its first turn; each answerable standalone
    development question after another development question drawn at random (seeded)."""
    questions = question_sets.load_role("development")
    alone = [q for q in questions if q.previous is None]
    rng = random.Random(seed)
    pairs = [(q, q.previous) for q in questions if q.previous is not None]
    for question in (q for q in alone if q.answerable):
        pairs.append((question, rng.choice([o for o in alone if o is not question]).question))
    return pairs


def choose_cut(pipeline: Pipeline) -> float:
    """Read every development turn asked after another alone and after it, then cut."""
    follow_ups, standalone = [], []
    for question, previous in development_turns():
        expected = pipeline.known(question.expected)
        alone = pipeline.ask(question.question)
        joined = pipeline.ask(in_context(question.question, previous))
        leans = pipeline.follow_up.probability(
            pipeline.encoder.encode_one(plain(question.question))
        )
        turn = SecondTurn(
            leans, alone.hits[0].clause.id in expected, joined.hits[0].clause.id in expected
        )
        (follow_ups if question.previous is not None else standalone).append(turn)
    return best_cut(follow_ups, standalone)


def best_cut(follow_ups: list[SecondTurn], standalone: list[SecondTurn]) -> float:
    """The cut with the best mean of the two shares right, follow-ups and standalone
    questions asked after another (each kind counts the same, however many the sets
    hold); of equally good cuts, the one nearest 0.5."""

    def score(cut: float) -> float:
        return sum(
            sum(turn.right(cut) for turn in turns) / len(turns)
            for turns in (follow_ups, standalone)
        )

    return max(CUTS, key=lambda cut: (score(cut), -abs(cut - 0.5)))
