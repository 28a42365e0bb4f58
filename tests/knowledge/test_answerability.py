"""The fitted models' cut-off: it refuses what it was fitted to refuse, with no knife edge."""

from __future__ import annotations

import numpy as np

from knowledge.answerability import FEATURES, fit


def test_the_cut_off_refuses_the_allowed_share_of_answerable_questions() -> None:
    rng = np.random.default_rng(7)
    answerable = np.r_[np.ones(100, dtype=bool), np.zeros(40, dtype=bool)]
    features = rng.normal(size=(140, len(FEATURES))) + answerable[:, None] * 1.5
    model = fit(features, answerable, max_refused=0.03)
    # Judged one question at a time, as the retriever does, not by the fit's own arrays:
    # the three least likely answerable questions are refused, the fourth is not.
    refused = [not model.answers(f) for f in features[answerable]]
    assert sum(refused) == 3
    probabilities = np.array([model.probability(f) for f in features[answerable]])
    fourth = np.sort(probabilities)[3]
    assert model.threshold < fourth and fourth - model.threshold < 1e-6
