"""Build the clause index: embed the policy, train the question encoder (when its inputs
changed) and the follow-up detector, choose the detector's cut and the thresholds on the
development sets, then write the manifest."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from knowledge.answering.answerability import THRESHOLDS_FILE
from knowledge.answering.follow_up import FOLLOW_UP_FILE
from knowledge.answering.pipeline import Pipeline
from knowledge.answering.reader import READER_FILE, Head
from knowledge.embedding import Encoder, QuestionEncoder
from knowledge.index import Inputs, Manifest, read_index, staleness, write_vectors
from knowledge.training.cache import train_if_changed
from knowledge.training.examples import Example, training_examples
from knowledge.training.follow_ups import choose_cut, train_detector
from knowledge.training.thresholds import choose_thresholds
from settings import KnowledgeSettings


def examples_of(inputs: Inputs) -> list[Example]:
    """The train sets and aliases; each silent topic, and each NLU message that asks the
    policy nothing, as a question no clause answers."""
    examples = training_examples(list(inputs.policy.clauses), inputs.aliases)
    nothing = [*inputs.silent_topics, *inputs.not_policy]
    return examples + [Example(text, ()) for text in nothing]


def build(
    settings: KnowledgeSettings, encoder: Encoder | None = None, *, force: bool = False
) -> dict:
    """Build the index when an input changed (or ``force``); returns a short report."""
    if not force and staleness(settings) is None:
        return {"built": False, "index_dir": str(settings.index_dir)}
    started = time.perf_counter()
    inputs = Inputs.read(settings)
    # Hashed before anything is trained: code edited while a build runs makes it stale.
    manifest = Manifest.expected(settings, inputs)
    encoder = encoder or Encoder.from_settings(settings)
    folder = settings.index_dir
    view_texts, owners = inputs.views()
    view_vectors = encoder.encode(view_texts)
    owner = np.asarray(owners)
    # Each clause's views are its own words, then its sentences (Inputs.views).
    sentence_rows = np.flatnonzero(np.r_[False, owner[1:] == owner[:-1]])
    write_vectors(folder, inputs, view_vectors, inputs.sentences(), view_vectors[sentence_rows])
    training = train_if_changed(
        folder, encoder, view_vectors, owner, sentence_rows, examples_of(inputs)
    )
    question_encoder = QuestionEncoder(folder, threads=settings.threads)
    follow_up, follow_up_report = train_detector(question_encoder)
    pipeline = Pipeline(
        read_index(folder), question_encoder, Head.load(folder / READER_FILE), follow_up
    )
    pipeline.follow_up = follow_up = replace(follow_up, cut=choose_cut(pipeline))
    follow_up.save(folder / FOLLOW_UP_FILE, trained_on=follow_up_report)
    thresholds = choose_thresholds(pipeline)
    thresholds.save(folder / THRESHOLDS_FILE, chosen_on="development sets (sets.yml)")
    # The manifest goes last: a build that died half-way leaves the index stale, not wrong.
    manifest.write(folder)
    return {
        "built": True,
        "index_dir": str(folder),
        "clauses": len(inputs.policy.clauses),
        "vectors": len(view_texts),
        "training": training,
        "follow_up": {**follow_up_report, "cut": follow_up.cut},
        "thresholds": {
            "answer_below": thresholds.answer_below,
            "topic_from": thresholds.topic_from,
        },
        "seconds": round(time.perf_counter() - started, 2),
    }
