"""What the conversation records of each policy answer, for feedback and the review.

The answer action sets the ``policy_answer`` slot to :meth:`AnswerRecord.as_slot` with
every reply it gives to a question: the kind of reply, the clause nearest the question,
the reader's verdict and score, and a random feedback id that the reply's 👍 / 👎
buttons carry. The tracker store keeps each slot event, so the conversation holds one
record per answer: the review counts them, a rating finds its answer by id, and
``make forget`` finds the feedback ids of one conversation.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from monitoring.metrics import DOES_NOT_SAY, QUOTE, SILENT

__all__ = ["DOES_NOT_SAY", "QUOTE", "SILENT", "AnswerRecord", "new_feedback_id"]

ANSWER_SLOT = "policy_answer"
# A customer asking for a person, as an AnswerRecord of kind PERSON: what they had asked
# before (actions/handoff.py), for the review's "asked for a person".
PERSON_SLOT = "person_asked"
PERSON = "person"
RATED_KINDS = (QUOTE, DOES_NOT_SAY)  # the replies that quote a clause get 👍 / 👎


def new_feedback_id() -> str:
    """Random, so it says nothing about the customer and cannot be guessed."""
    return secrets.token_urlsafe(12)


@dataclass(frozen=True)
class AnswerRecord:
    feedback_id: str
    question: str
    kind: str
    verdict: str
    clause: str | None = None
    section: str | None = None
    score: float | None = None

    def as_slot(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_slot(cls, value: Any) -> AnswerRecord | None:
        """The record a slot value holds, or None for anything else."""
        if not isinstance(value, Mapping) or not value.get("feedback_id"):
            return None
        fields = cls.__dataclass_fields__
        return cls(**{k: v for k, v in value.items() if k in fields})
