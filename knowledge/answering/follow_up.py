"""Does a question lean on the one before it ("and who can see it?")? A learned answer.

A logistic regression over the question's own vector (the fine-tuned question encoder's),
trained at build on the train sets: the second turns of follow-up sets lean on their
first; every other train question stands alone; where it cuts is chosen on the
development sets (``knowledge.training.follow_ups``). It replaced a rule of pronoun
words and word counts, which joined fewer real follow-ups and more questions that stood
alone (docs/answers.md).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

FOLLOW_UP_FILE = "follow_up.json"


@dataclass(frozen=True)
class FollowUpDetector:
    """The logistic regression's weights and bias, and the probability it cuts at."""

    weights: tuple[float, ...]
    bias: float
    cut: float = 0.5

    def probability(self, query: np.ndarray) -> float:
        """The probability that the question (as its vector) leans on the one before."""
        return float(1.0 / (1.0 + np.exp(-(np.dot(self.weights, query) + self.bias))))

    def leans_on_previous(self, query: np.ndarray) -> bool:
        return self.probability(query) >= self.cut

    def save(self, path: Path, **provenance: object) -> None:
        path.write_text(json.dumps(asdict(self) | provenance, indent=1))

    @classmethod
    def load(cls, path: Path) -> FollowUpDetector:
        data = json.loads(path.read_text())
        return cls(tuple(data["weights"]), data["bias"], data["cut"])
