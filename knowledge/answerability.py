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
MAX_REFUSED = 0.03
REGULARISATION_C = 10.0


@dataclass(frozen=True)
class Answerability:
    """A fitted logistic model over some of :data:`FEATURES` and its probability cut-off.

    With ``features=("best_similarity",)`` it is the plain fixed-threshold baseline.
    """

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def _select(self, features: np.ndarray) -> np.ndarray:
        return features[..., [FEATURES.index(name) for name in self.features]]

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


def load_silent_topics(path: Path) -> tuple[str, ...]:
    if not path.exists():
        return ()
    return tuple(str(t) for t in yaml.safe_load(path.read_text(encoding="utf-8")) or ())


def fit(
    features: np.ndarray, answerable: np.ndarray, names: tuple[str, ...] = FEATURES
) -> Answerability:
    """Fit the model on labelled questions and pick the cut-off (see module docstring)."""
    from sklearn.linear_model import LogisticRegression

    columns = features[:, [FEATURES.index(name) for name in names]]
    model = LogisticRegression(C=REGULARISATION_C, max_iter=1000).fit(columns, answerable)
    probabilities = model.predict_proba(columns)[:, 1]
    allowed = int(MAX_REFUSED * answerable.sum())
    # Refusing below the (allowed+1)-th lowest answerable probability refuses `allowed`.
    threshold = float(np.sort(probabilities[answerable])[allowed])
    weights = tuple(float(w) for w in model.coef_[0])
    return Answerability(names, weights, float(model.intercept_[0]), threshold)
