"""Training the question encoder: seeded, it learns what it is taught, it is redone only
when its inputs change; the thresholds cut where the development questions part."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from knowledge.answering.answerability import Thresholds, best_cut, choose
from knowledge.embedding import Encoder
from knowledge.training import cache
from knowledge.training.cache import train_if_changed
from knowledge.training.encoder import TrainingConfig, fine_tune
from knowledge.training.examples import Example

TEXTS = [
    "We use cookies to remember what is in your basket.",
    "Your card number is encrypted with SSL.",
    "You can unsubscribe from our newsletter at any time.",
]
EXAMPLES = [
    Example("what are cookies for", (0,)),
    Example("is my card safe", (1,), sentences=(1,)),
    Example("how do i stop the emails", (2,)),
    Example("basket cookie?", (0,)),
    Example("do you encrypt payment details", (1,)),
    Example("what time does the shop open", ()),
]
SENTENCES = np.arange(len(TEXTS))  # each text here is a one-sentence clause
TINY = TrainingConfig(epochs=3, batch_size=3, learning_rate=1e-4, threads=1)


def _views(encoder: Encoder) -> tuple[np.ndarray, np.ndarray]:
    return encoder.encode(TEXTS), np.arange(len(TEXTS))


def _questions(model, texts: list[str]) -> np.ndarray:
    return model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)


def test_fine_tuning_is_seeded_and_moves_questions_to_their_clauses(encoder: Encoder) -> None:
    views, owner = _views(encoder)
    runs = [
        fine_tune(encoder.load(), views, owner, SENTENCES, EXAMPLES, TINY, progress=False)
        for _ in "ab"
    ]
    asked = [e.text for e in EXAMPLES[:5]]
    first, second = (_questions(run.model, asked) for run in runs)
    assert np.allclose(first, second, atol=1e-6)
    assert runs[0].none_weights == runs[1].none_weights and runs[0].none_bias == runs[1].none_bias
    before = _questions(encoder.model, asked) @ views.T
    after = first @ views.T
    rows = np.arange(5)
    right = [e.answers[0] for e in EXAMPLES[:5]]
    assert (after[rows, right] - before[rows, right]).mean() > 0.02


def test_training_is_redone_only_when_its_inputs_change(
    encoder: Encoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    views, owner = _views(encoder)
    assert train_if_changed(tmp_path, encoder, views, owner, SENTENCES, EXAMPLES, TINY)["trained"]
    assert not train_if_changed(tmp_path, encoder, views, owner, SENTENCES, EXAMPLES, TINY)[
        "trained"
    ]
    more = [*EXAMPLES, Example("newsletter opt out", (2,))]
    assert train_if_changed(tmp_path, encoder, views, owner, SENTENCES, more, TINY)["trained"]
    # A model exported another way (before 8-bit weights, say) is not reused either.
    monkeypatch.setattr(cache, "EXPORT_CODE", cache.EXPORT_CODE[:-1])
    assert train_if_changed(tmp_path, encoder, views, owner, SENTENCES, more, TINY)["trained"]


def test_the_export_is_known_by_its_code_not_its_wording() -> None:
    def export(x: int) -> int:
        """Writes it."""
        return x + 1  # one more

    def reworded(x: int) -> int:
        """Writes the model, in other words."""
        return x + 1

    def changed(x: int) -> int:
        """Writes it."""
        return x + 2

    def named(function: Callable) -> str:
        return cache.code_without_docstrings(function).replace(function.__name__, "f")

    assert named(export) == named(reworded) != named(changed)


def test_the_cut_separates_two_groups_that_do_not_overlap() -> None:
    values = np.array([0.1, 0.2, 0.3, 0.7, 0.8])
    cut = best_cut(values, np.array([True, True, True, False, False]))
    assert 0.3 < cut <= 0.7


def test_a_counted_cut_lets_the_larger_kind_outvote_a_balanced_one() -> None:
    # Ten answerable questions, two with a high "none"; two unanswerable, one of them low.
    values = np.array([0.1] * 8 + [0.6, 0.65] + [0.5, 0.9])
    answerable = np.array([True] * 10 + [False, False])
    assert best_cut(values, answerable) == 0.5  # balanced: hedges the two
    assert best_cut(values, answerable, balanced=False) == 0.9  # counted: answers them


def test_of_cuts_that_tie_the_middle_one_is_taken() -> None:
    # Four right at 0.3, at 0.6 and at 0.95: not the edge of that stretch, its middle.
    values = np.array([0.1, 0.5, 0.7, 0.3, 0.6, 0.95])
    answerable = np.array([True, True, True, False, False, False])
    assert best_cut(values, answerable, balanced=False) == 0.6


def test_thresholds_answer_below_the_cut_and_hedge_on_topic() -> None:
    none = np.array([0.05, 0.1, 0.2, 0.9, 0.95, 0.8, 0.99])
    best = np.array([0.8, 0.7, 0.75, 0.6, 0.62, 0.2, 0.1])
    answerable = np.array([True, True, True, False, False, False, False])
    near = np.array([False, False, False, True, True, False, False])
    chosen = choose(none, best, answerable, near)
    assert chosen.verdict(0.1, 0.7) == "answer"
    assert chosen.verdict(0.9, 0.61) == "does_not_say"
    assert chosen.verdict(0.95, 0.15) == "silent"
    assert isinstance(chosen, Thresholds)
