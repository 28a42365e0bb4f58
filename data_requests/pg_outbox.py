"""The outbox in PostgreSQL: the same interface as the SQLite one, shared by many relays.

``make cluster`` runs several action servers, which submit requests, and several relays,
which send them; all share this table (``DATABASE_URL``). A relay claims due requests
with ``FOR UPDATE SKIP LOCKED``: two relays claiming at once each get different rows and
neither waits for the other. The claim moves ``next_attempt_at`` one lease ahead
(:data:`~data_requests.outbox.SEND_LEASE`), so a relay that dies mid-send lets another
send the request once the lease has run out, with the same Message-ID: customer service
can tell a resend from a new request. A job-queue library (procrastinate) would add its
own tables, worker and migrations for what is one ``UPDATE`` here, and the request's row
must stay the accountability record that ``python -m data_requests`` reads anyway.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from data_requests.outbox import (
    PENDING,
    SEND_LEASE,
    STORED,
    UK,
    OutboxUnavailable,
    SharedStore,
    StoredRequest,
    one_calendar_month_after,
    reference_for,
    utc_now,
)

CONNECT_TIMEOUT_S = 10
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
    sent_at         TIMESTAMPTZ
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
"""
# Two servers starting together may both create the table; one lock makes it one at a time.
_SCHEMA_LOCK = "SELECT pg_advisory_xact_lock(hashtext('jessops outbox schema'))"
_CLAIM = """
UPDATE requests SET next_attempt_at = %(lease_until)s
WHERE id IN (
    SELECT id FROM requests
    WHERE status = %(pending)s AND next_attempt_at <= %(now)s
    ORDER BY id LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
RETURNING *
"""


class PostgresOutbox(SharedStore):
    """The outbox on a PostgreSQL server; cheap to create, one connection per operation.

    One connection per operation, as the SQLite outbox: the action server submits from
    its worker threads and the relay works between long SMTP waits, so a held connection
    would mostly sit idle and count against the server's connection limit.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        with self._transaction() as db:
            db.execute(_SCHEMA_LOCK)
            db.execute(_SCHEMA)

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Connection]:
        """One transaction: committed when the block ends, rolled back on an exception."""
        try:
            with psycopg.connect(
                self.url, row_factory=dict_row, connect_timeout=CONNECT_TIMEOUT_S
            ) as db:
                yield db
        except psycopg.Error as error:
            raise OutboxUnavailable(type(error).__name__) from error

    def _rows(self, query: str, args: dict[str, Any]) -> list[StoredRequest]:
        with self._transaction() as db:
            rows = db.execute(query, args).fetchall()
        return [StoredRequest.from_row(row) for row in rows]

    def submit(
        self,
        submission_key: str,
        kind: str,
        details: dict[str, Any],
        channel: str,
        now: datetime | None = None,
    ) -> StoredRequest:
        """Store a confirmed request, or return the one already stored under this key.

        Looked up first, so a repeated confirmation does not use up an id (an insert
        that conflicts still takes one, and references would skip a number). Two
        servers inserting the same key at once: the second waits on the unique index
        until the first commits, then inserts nothing.
        """
        now = now or utc_now()
        with self._transaction() as db:
            row = self._by_key(db, submission_key)
            if row is None:
                self._insert(db, submission_key, kind, details, channel, now)
                row = self._by_key(db, submission_key)
        return StoredRequest.from_row(row)

    @staticmethod
    def _by_key(db: psycopg.Connection, submission_key: str) -> dict[str, Any] | None:
        query = "SELECT * FROM requests WHERE submission_key = %s"
        return db.execute(query, (submission_key,)).fetchone()

    def _insert(
        self,
        db: psycopg.Connection,
        submission_key: str,
        kind: str,
        details: dict[str, Any],
        channel: str,
        now: datetime,
    ) -> None:
        inserted = db.execute(
            "INSERT INTO requests (submission_key, kind, details, channel, received_at,"
            " due_on, next_attempt_at) VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (submission_key) DO NOTHING RETURNING id",
            (
                submission_key,
                kind,
                Jsonb(details, dumps=lambda d: json.dumps(d, ensure_ascii=False)),
                channel,
                now,
                one_calendar_month_after(now.astimezone(UK).date()),
                now,
            ),
        ).fetchone()
        if inserted:
            reference = reference_for(now, inserted["id"])
            db.execute(
                "UPDATE requests SET reference = %s WHERE id = %s", (reference, inserted["id"])
            )
            self._record(db, reference, STORED, now)

    def claim_due(
        self, now: datetime | None = None, limit: int = 20, lease: timedelta = SEND_LEASE
    ) -> list[StoredRequest]:
        """Pending requests whose time has come, leased to the caller for sending; rows
        another relay is claiming at this moment are skipped, not waited for."""
        now = now or utc_now()
        args = {"lease_until": now + lease, "pending": PENDING, "now": now, "limit": limit}
        claimed = self._rows(_CLAIM, args)
        return sorted(claimed, key=lambda request: request.id)

    def get(self, reference: str) -> StoredRequest | None:
        found = self._rows("SELECT * FROM requests WHERE reference = %(r)s", {"r": reference})
        return found[0] if found else None

    def list(self, status: str | None = None) -> list[StoredRequest]:
        where = " WHERE status = %(status)s" if status else ""
        return self._rows(f"SELECT * FROM requests{where} ORDER BY id", {"status": status})
