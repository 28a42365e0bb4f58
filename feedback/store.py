"""A feedback row and every operation on it, written once for both databases."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from monitoring.metrics import DOWN, RATINGS, UP
from storage import Database, moment

__all__ = ["DOWN", "RATINGS", "UP", "Feedback", "FeedbackStore"]

_RATE = """
INSERT INTO feedback (id, given_at, rating, question, clause, section, verdict, score)
VALUES (%(id)s, %(at)s, %(rating)s, %(question)s, %(clause)s, %(section)s, %(verdict)s,
    %(score)s)
ON CONFLICT (id) DO UPDATE SET rating = %(rating)s, given_at = %(at)s
"""
# A comment is kept once, for the 👎 that asked for it.
_COMMENT = "UPDATE feedback SET comment = %(comment)s WHERE id = %(id)s AND comment IS NULL"
_SINCE = "SELECT * FROM feedback WHERE given_at >= %(since)s ORDER BY given_at"
_BEFORE = "DELETE FROM feedback WHERE given_at < %(before)s"
_BY_ID = "DELETE FROM feedback WHERE id = %(id)s"


@dataclass(frozen=True)
class Feedback:
    """One rated answer: what was asked (redacted), what was quoted, the rating."""

    id: str
    given_at: datetime
    rating: str
    question: str
    clause: str | None
    section: str | None
    verdict: str
    score: float | None
    comment: str | None = None

    @classmethod
    def from_row(cls, row: Any) -> Feedback:
        return cls(**{**dict(row), "given_at": moment(row["given_at"])})


class FeedbackStore(Database):
    """Every feedback operation, for a store that supplies a connection and its dialect."""

    def rate(self, item: Feedback) -> None:
        """Store a rating; rating the same answer again replaces it."""
        args = {
            "id": item.id,
            "at": item.given_at,
            "rating": item.rating,
            "question": item.question,
            "clause": item.clause,
            "section": item.section,
            "verdict": item.verdict,
            "score": item.score,
        }
        with self._transaction() as db:
            self._execute(db, _RATE, args)

    def comment(self, feedback_id: str, comment: str) -> bool:
        """Keep what the customer was looking for; False if it had one already."""
        with self._transaction() as db:
            cursor = self._execute(db, _COMMENT, {"id": feedback_id, "comment": comment})
            return cursor.rowcount > 0

    def since(self, moment: datetime) -> list[Feedback]:
        return [Feedback.from_row(row) for row in self._rows(_SINCE, {"since": moment})]

    def delete_before(self, moment: datetime) -> int:
        """Purge: every row given before ``moment``."""
        with self._transaction() as db:
            self._before_delete(db)
            return self._execute(db, _BEFORE, {"before": moment}).rowcount

    def forget(self, feedback_ids: Iterable[str]) -> int:
        """Delete the rows of these ids (one conversation's, read from it)."""
        deleted = 0
        with self._transaction() as db:
            self._before_delete(db)
            for feedback_id in set(feedback_ids):
                deleted += self._execute(db, _BY_ID, {"id": feedback_id}).rowcount
        return deleted


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
