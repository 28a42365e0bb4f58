"""The outbox in a SQLite file: ``make run``'s store, one writer at a time.

A confirmed request is stored in one transaction, keyed by its submission key so that
the same confirmation arriving twice stores one request; ``synchronous=FULL`` makes it
survive a power cut before the customer is told (``storage.sqlite``: the connection and
dialect it shares with the feedback store).
"""

from __future__ import annotations

from pathlib import Path

from data_requests.outbox.sql import ADDED_COLUMNS, SharedStore
from storage.sqlite import SqliteDatabase

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    reference       TEXT UNIQUE,
    submission_key  TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    details         TEXT NOT NULL,
    channel         TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    due_on          TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    sent_at         TEXT,
    verified_at     TEXT,
    verified_by     TEXT,
    email_key       TEXT,
    code_hash       TEXT,
    code_expires_at TEXT,
    code_tries      INTEGER NOT NULL DEFAULT 0,
    codes_sent      INTEGER NOT NULL DEFAULT 0,
    last_code_at    TEXT
);
CREATE INDEX IF NOT EXISTS requests_due ON requests (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS request_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    reference TEXT NOT NULL,
    at        TEXT NOT NULL,
    event     TEXT NOT NULL,
    detail    TEXT
);
CREATE INDEX IF NOT EXISTS request_events_reference ON request_events (reference, id);
CREATE TABLE IF NOT EXISTS customer_mails (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    reference  TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    status     TEXT NOT NULL,
    due_at     TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS customer_mails_due ON customer_mails (status, due_at);
CREATE TABLE IF NOT EXISTS rate_counts (
    scope        TEXT NOT NULL,
    window_start TEXT NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (scope, window_start)
);
"""
_COUNTER = "INTEGER NOT NULL DEFAULT 0"
_COLUMN_TYPES = {"code_tries": _COUNTER, "codes_sent": _COUNTER}


class Outbox(SqliteDatabase, SharedStore):
    """Access to the outbox file; cheap to create, one connection per operation."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._create(_SCHEMA)
        with self._transaction() as db:  # one process at a time brings an old file up to date
            present = {row["name"] for row in db.execute("PRAGMA table_info(requests)")}
            for column in ADDED_COLUMNS:
                if column not in present:
                    kind = _COLUMN_TYPES.get(column, "TEXT")
                    db.execute(f"ALTER TABLE requests ADD COLUMN {column} {kind}")
