"""The outbox in PostgreSQL: the same operations as the SQLite file, shared by many relays.

``make cluster`` runs several action servers, which submit requests, and several relays,
which send them; all share these tables (``DATABASE_URL``). A relay claims due requests
with ``FOR UPDATE SKIP LOCKED``: two relays claiming at once each get different rows and
neither waits for the other. The claim moves ``next_attempt_at`` one lease ahead
(:data:`~data_requests.outbox.records.SEND_LEASE`), so a relay that dies mid-send lets
another send the request once the lease has run out, with the same Message-ID: customer
service can tell a resend from a new request. A job-queue library (procrastinate) would
add its own tables, worker and migrations for what is one ``UPDATE`` here, and the
request's row must stay the accountability record that ``python -m data_requests`` reads.
"""

from __future__ import annotations

import psycopg

from data_requests.outbox.records import OutboxUnavailable
from data_requests.outbox.sql import ADDED_COLUMNS, SharedStore
from storage.postgres import PostgresDatabase

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference       TEXT UNIQUE,
    submission_key  TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    details         JSONB NOT NULL,
    channel         TEXT NOT NULL,
    received_at     TIMESTAMPTZ NOT NULL,
    due_on          DATE NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    last_error      TEXT,
    sent_at         TIMESTAMPTZ,
    verified_at     TIMESTAMPTZ,
    verified_by     TEXT,
    email_key       TEXT,
    code_hash       TEXT,
    code_expires_at TIMESTAMPTZ,
    code_tries      INTEGER NOT NULL DEFAULT 0,
    codes_sent      INTEGER NOT NULL DEFAULT 0,
    last_code_at    TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS requests_due ON requests (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS request_events (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL,
    event     TEXT NOT NULL,
    detail    TEXT
);
CREATE INDEX IF NOT EXISTS request_events_reference ON request_events (reference, id);
CREATE TABLE IF NOT EXISTS customer_mails (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference  TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    status     TEXT NOT NULL,
    due_at     TIMESTAMPTZ NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS customer_mails_due ON customer_mails (status, due_at);
CREATE TABLE IF NOT EXISTS rate_counts (
    scope        TEXT NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (scope, window_start)
);
"""
_COLUMN_TYPES = {
    "verified_at": "TIMESTAMPTZ",
    "code_expires_at": "TIMESTAMPTZ",
    "last_code_at": "TIMESTAMPTZ",
    "code_tries": "INTEGER NOT NULL DEFAULT 0",
    "codes_sent": "INTEGER NOT NULL DEFAULT 0",
}
_SCHEMA_LOCK = "SELECT pg_advisory_xact_lock(hashtext('jessops outbox schema'))"
_COLUMNS = (
    "SELECT column_name FROM information_schema.columns"
    " WHERE table_schema = current_schema() AND table_name = 'requests'"
)


class PostgresOutbox(PostgresDatabase, SharedStore):
    """The outbox on a PostgreSQL server; cheap to create, one connection per operation
    (``storage.postgres``: the connection and dialect it shares with the feedback store)."""

    unavailable = OutboxUnavailable

    def __init__(self, url: str) -> None:
        self.url = url
        # Every action opens the outbox: the schema is only touched when something in it
        # is missing (storage.postgres says why).
        with self._transaction() as db:
            if self._missing(db):
                db.execute(_SCHEMA_LOCK)
                db.execute(_SCHEMA)
                for column in self._missing(db):
                    kind = _COLUMN_TYPES.get(column, "TEXT")
                    db.execute(f"ALTER TABLE requests ADD COLUMN {column} {kind}")

    @classmethod
    def _missing(cls, db: psycopg.Connection) -> list[str]:
        """The tables and indexes of the schema that do not exist, else the columns
        added since the first version that ``requests`` lacks."""
        relations = cls._absent(db, _SCHEMA)
        if relations:
            return relations
        present = {row["column_name"] for row in db.execute(_COLUMNS).fetchall()}
        return [column for column in ADDED_COLUMNS if column not in present]
