"""Choose the verdict's thresholds on the development sets (never on held-out ones)."""

from __future__ import annotations

import numpy as np

from knowledge import question_sets
from knowledge.answering.answerability import Thresholds, choose
from knowledge.answering.pipeline import Pipeline


def choose_thresholds(pipeline: Pipeline) -> Thresholds:
    """Ask every development question (follow-ups after their first turn) with no
    thresholds set, then cut the reader's "none" probability and the first clause's
    similarity where they separate the kinds best."""
    none, best, answerable, near = [], [], [], []
    for question in question_sets.load_role("development"):
        answer = pipeline.ask(question.question, previous=question.previous)
        none.append(answer.none)
        best.append(answer.hits[0].score if answer.hits else -1.0)
        answerable.append(question.answerable)
        near.append(bool(question.near))
    return choose(np.array(none), np.array(best), np.array(answerable), np.array(near))
