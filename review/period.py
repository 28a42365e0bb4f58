"""The review of the period ``REVIEW_DAYS`` back from now, read from wherever the
settings say the conversations and the feedback are (``make cluster``: PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from feedback import FeedbackStore, open_feedback
from review.report import Review, build
from review.sources import Asked, asked_in
from settings import ReviewSettings


def feedback_store(settings: ReviewSettings) -> FeedbackStore | None:
    """The feedback store, or None when none was made yet (none is made here)."""
    if settings.database_url or settings.feedback_db.exists():
        return open_feedback(settings)
    return None


def collect(
    settings: ReviewSettings, now: datetime | None = None
) -> tuple[list[Asked], datetime, datetime]:
    """What was asked in the period, and the period."""
    end = now or datetime.now(timezone.utc)
    start = end - timedelta(days=settings.days)
    where = settings.database_url or settings.tracker_db
    return asked_in(where, feedback_store(settings), start), start, end


def review_of(settings: ReviewSettings, now: datetime | None = None) -> Review:
    asked, start, end = collect(settings, now)
    return build(asked, start, end, settings.examples)
