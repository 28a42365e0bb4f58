"""The feedback store on PostgreSQL: ``make cluster``'s, shared by every action server."""

from __future__ import annotations

from feedback.store import FeedbackStore
from storage.postgres import PostgresDatabase

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id       TEXT PRIMARY KEY,
    given_at TIMESTAMPTZ NOT NULL,
    rating   TEXT NOT NULL,
    question TEXT NOT NULL,
    clause   TEXT,
    section  TEXT,
    verdict  TEXT NOT NULL,
    score    DOUBLE PRECISION,
    comment  TEXT
);
CREATE INDEX IF NOT EXISTS feedback_given_at ON feedback (given_at);
"""


class PostgresFeedback(PostgresDatabase, FeedbackStore):
    def __init__(self, url: str) -> None:
        self.url = url
        self._create(SCHEMA, "jessops feedback schema")
