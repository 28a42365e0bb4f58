"""The feedback store in a SQLite file: ``make run``'s."""

from __future__ import annotations

from pathlib import Path

from feedback.store import FeedbackStore
from storage.sqlite import SqliteDatabase

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id       TEXT PRIMARY KEY,
    given_at TEXT NOT NULL,
    rating   TEXT NOT NULL,
    question TEXT NOT NULL,
    clause   TEXT,
    section  TEXT,
    verdict  TEXT NOT NULL,
    score    REAL,
    comment  TEXT
);
CREATE INDEX IF NOT EXISTS feedback_given_at ON feedback (given_at);
"""


class SqliteFeedback(SqliteDatabase, FeedbackStore):
    def __init__(self, path: Path) -> None:
        self.path = path
        self._create(SCHEMA)
