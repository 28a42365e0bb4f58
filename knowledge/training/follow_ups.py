"""Train the follow-up detector (``knowledge.answering.follow_up``) on the train sets.

Positives: the second turn of every follow-up in a train set, as typed (without its
first turn). Negatives: every other train question, answerable, silent or near-topic.
Classes are weighted to balance (there are about eight standalone questions to each
follow-up); C = 1 and the cut at 0.5 were compared with the word rule on the
development sets (docs/experiments/2026-12-learned-answers.md).
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from knowledge import question_sets
from knowledge.answering.follow_up import FollowUpDetector
from knowledge.answering.text import plain
from knowledge.embedding import QuestionEncoder

REGULARISATION_C = 1.0


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
