"""Decide whether the policy answers a question at all.

One similarity threshold refuses either too many real questions or too few silent
ones. Instead three signals go into a logistic model fitted on the development set:

- the dense similarity of the best clause,
- the best BM25 score (a question sharing no words with any clause is suspect),
- how far the best clause leads the nearest *silent topic* (``silent_topics.yml``:
  retention periods, transfers abroad, opening hours... that the policy never covers).

The probability cut-off is the one that refuses the most silent questions of the
development set while refusing at most ``MAX_REFUSED`` of its answerable ones.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import yaml

FEATURES = ("best_similarity", "best_bm25", "lead_over_silent_topics")
# Signals that the first clause answers the question rather than only sharing its topic
# (``Retriever.coverage_features``).
COVERAGE_FEATURES = (
    "clause_similarity",
    "sentence_similarity",
    "words_in_clause_and_aliases",
    "words_in_policy_text",
    "words_in_best_sentence",
    "asks_what_clause_lacks",
    "lead_over_silent_topics",
    "lead_of_near_questions",
    "words_the_clause_lacks",
)
# At most this share of the development set's answerable questions is hedged.
MAX_HEDGED = 0.05
MAX_REFUSED = 0.03
REGULARISATION_C = 10.0
# Far above the fit's rounding noise (1e-13), far below the gap between two questions.
CUT_OFF_SLACK = 1e-9


@dataclass(frozen=True)
class Answerability:
    """A fitted logistic model over some of :data:`FEATURES` and its probability cut-off.

    With ``features=("best_similarity",)`` it is the plain fixed-threshold baseline.
    """

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    universe = FEATURES  # the order of the feature vectors it is given

    def _select(self, features: np.ndarray) -> np.ndarray:
        return features[..., [self.universe.index(name) for name in self.features]]

    def probability(self, features: np.ndarray) -> float:
        z = self._select(features) @ np.asarray(self.weights) + self.bias
        return float(1 / (1 + np.exp(-z)))

    def answers(self, features: np.ndarray) -> bool:
        return self.probability(features) >= self.threshold

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1))

    @classmethod
    def load(cls, path: Path) -> Answerability:
        data = json.loads(path.read_text())
        return cls(tuple(data["features"]), tuple(data["weights"]), data["bias"], data["threshold"])


@dataclass(frozen=True)
class Coverage(Answerability):
    """Does the first clause answer the question, or is it only near its topic?

    The same logistic form over :data:`COVERAGE_FEATURES`, fitted on the development
    set's answerable questions against its near-topic ones (``dev-near.jsonl``: questions
    next to a clause that the clause does not answer), with the cut-off that hedges at
    most :data:`MAX_HEDGED` of the answerable ones.
    """

    universe = COVERAGE_FEATURES


def load_silent_topics(path: Path) -> tuple[str, ...]:
    if not path.exists():
        return ()
    return tuple(str(t) for t in yaml.safe_load(path.read_text(encoding="utf-8")) or ())


def fit(
    features: np.ndarray,
    answerable: np.ndarray,
    names: tuple[str, ...] = FEATURES,
    kind: type[Answerability] = Answerability,
    max_refused: float = MAX_REFUSED,
) -> Answerability:
    """Fit the model on labelled questions and pick the cut-off (see module docstring)."""
    from sklearn.linear_model import LogisticRegression

    columns = features[:, [kind.universe.index(name) for name in names]]
    model = LogisticRegression(C=REGULARISATION_C, max_iter=1000).fit(columns, answerable)
    probabilities = model.predict_proba(columns)[:, 1]
    allowed = int(max_refused * answerable.sum())
    # Refusing below the (allowed+1)-th lowest answerable probability refuses `allowed`.
    # The cut-off sits a hair below it: exactly on it, that question's fate hung on the
    # last digits of the fit (a `dev2` question flipped between two builds of one code).
    threshold = float(np.sort(probabilities[answerable])[allowed]) - CUT_OFF_SLACK
    weights = tuple(float(w) for w in model.coef_[0])
    return kind(names, weights, float(model.intercept_[0]), threshold)
