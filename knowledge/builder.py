"""Build the clause index: embed, write, calibrate answerability, then the manifest."""

from __future__ import annotations

import time

import numpy as np

from knowledge.clauses import is_table_of_contents
from knowledge.embedding import Encoder
from knowledge.evaluation import NEAR_SET, calibrate, calibrate_coverage, load_questions
from knowledge.index import Inputs, Manifest, read_index, staleness, write_pieces, write_vectors
from knowledge.retrieval import Retriever
from knowledge.sentences import split_sentences
from settings import KnowledgeSettings


def _view_pieces(encoder: Encoder, inputs: Inputs, sentences: list[list[str]]) -> list[np.ndarray]:
    """The word-piece states of every view, in :meth:`Inputs.views` order: a clause read
    sentence by sentence (as quotes are picked), then each alias whole.

    They are read by the question encoder, as questions are, so they compare like for
    like. A table of contents is left out: it holds the words of every question ("who
    do I email with questions regarding this privacy policy?") and answers none.
    """
    pieces = []
    for clause, group in zip(inputs.policy.clauses, sentences, strict=True):
        said = [s for s in group if not is_table_of_contents(s)] or group
        pieces.append(np.concatenate([encoder.read(s).pieces for s in said]))
        pieces += [encoder.read(alias).pieces for alias in inputs.aliases.get(clause.id, ())]
    return pieces


def build(
    settings: KnowledgeSettings, encoder: Encoder | None = None, *, force: bool = False
) -> dict:
    """Build the index when an input changed (or ``force``); returns a short report."""
    if not force and staleness(settings) is None:
        return {"built": False, "index_dir": str(settings.index_dir)}
    started = time.perf_counter()
    inputs = Inputs.read(settings)
    encoder = encoder or Encoder.from_settings(settings)
    if encoder.folder != settings.index_dir:
        raise ValueError(f"The encoder's folder is {encoder.folder}, not {settings.index_dir}.")
    view_texts, _ = inputs.views()
    sentences = [split_sentences(c.text) for c in inputs.policy.clauses]
    folder = settings.index_dir
    write_vectors(
        folder,
        inputs,
        encoder.encode(view_texts),
        sentences,
        encoder.encode([s for group in sentences for s in group]),
        encoder.encode(list(inputs.silent_topics)),
        encoder.encode([q.question for q in load_questions(NEAR_SET)]),
    )
    encoder.export()  # the question encoder, before calibration asks questions
    write_pieces(folder, _view_pieces(encoder, inputs, sentences))
    (folder / "answerability.json").unlink(missing_ok=True)
    (folder / "coverage.json").unlink(missing_ok=True)
    answerability = calibrate(Retriever(read_index(folder), encoder))
    answerability.save(folder / "answerability.json")
    retriever = Retriever(read_index(folder), encoder, answerability=answerability)
    calibrate_coverage(retriever).save(folder / "coverage.json")
    # The manifest goes last: a build that died half-way leaves the index stale, not wrong.
    Manifest.expected(settings, inputs).write(folder)
    return {
        "built": True,
        "index_dir": str(folder),
        "clauses": len(inputs.policy.clauses),
        "vectors": len(view_texts),
        "seconds": round(time.perf_counter() - started, 2),
    }
