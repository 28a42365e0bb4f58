"""Customers' 👍 / 👎 on policy answers, kept without who gave them.

A row is one rated answer under a random feedback id (the one its buttons carry): the
question and any comment redacted (``privacy.redaction.redact_free_text``), the clause
quoted, the reader's verdict and score, the rating. No sender id, channel or time finer
than the moment it was given. ``make forget SENDER=...`` still finds a customer's
feedback: the ids are recorded only in that customer's own conversation (the
``policy_answer`` slot), so forget reads them from there before it deletes the
conversation (``stores.retention``); rows older than ``CONVERSATION_RETENTION_DAYS``
are purged with the conversations.

- ``store``: a feedback row and every operation, its SQL written once;
- ``sqlite``: the file ``make run`` uses; ``postgres``: the server ``make cluster`` uses
  (``storage`` supplies both connections, as for the request outbox).
"""

from __future__ import annotations

from collections.abc import Callable

from feedback.store import DOWN, RATINGS, UP, Feedback, FeedbackStore
from settings import FeedbackSettings, RetentionSettings, ReviewSettings

__all__ = ["DOWN", "RATINGS", "UP", "Feedback", "FeedbackStore", "open_feedback", "opened_once"]

# Any settings that name the file and the database.
Settings = FeedbackSettings | RetentionSettings | ReviewSettings


def open_feedback(settings: Settings) -> FeedbackStore:
    """The feedback store the settings name: PostgreSQL with ``DATABASE_URL``, else the
    file. psycopg is imported only then."""
    if settings.database_url:
        from feedback.postgres import PostgresFeedback

        return PostgresFeedback(settings.database_url)
    from feedback.sqlite import SqliteFeedback

    return SqliteFeedback(settings.feedback_db)


def opened_once(settings: Settings) -> Callable[[], FeedbackStore]:
    """The store, opened at first use and kept (opening creates its table if missing)."""
    opened: list[FeedbackStore] = []

    def store() -> FeedbackStore:
        if not opened:
            opened.append(open_feedback(settings))
        return opened[0]

    return store
