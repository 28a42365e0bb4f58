"""The trained reader: which clause answers the question, or none does.

The question encoder was fine-tuned with a softmax over every clause and a "none" logit
read from the question's vector by a linear layer (``knowledge.training.encoder``); this
applies that same head at run time, so the probabilities are the ones the model was
trained to give. Questions the policy does not answer and near-topic ones taught it
"none".
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

READER_FILE = "reader.json"


@dataclass(frozen=True)
class Head:
    """The softmax's temperature and the "none" logit's linear layer."""

    scale: float
    none_weights: tuple[float, ...]
    none_bias: float

    def none_logit(self, query: np.ndarray) -> float:
        return float(np.dot(self.none_weights, query) + self.none_bias)

    def save(self, path: Path, **provenance: object) -> None:
        path.write_text(json.dumps(asdict(self) | provenance, indent=1))

    @classmethod
    def load(cls, path: Path) -> Head:
        data = json.loads(path.read_text())
        weights = tuple(data["none_weights"])
        return cls(scale=data["scale"], none_weights=weights, none_bias=data["none_bias"])


@dataclass(frozen=True)
class Reading:
    """The reader's verdict on one question: each clause's probability of answering it,
    and the probability that no clause does."""

    clauses: np.ndarray
    none: float

    def probability(self, position: int) -> float:
        return float(self.clauses[position])


def read(head: Head, query: np.ndarray, scores: np.ndarray) -> Reading:
    """Softmax over the clauses' scaled similarities and the question's "none" logit."""
    logits = np.append(head.scale * scores.astype(np.float64), head.none_logit(query))
    weights = np.exp(logits - logits.max())
    probabilities = weights / weights.sum()
    return Reading(clauses=probabilities[:-1], none=float(probabilities[-1]))
