"""The durable outbox of data requests: a SQLite file, written before the customer is told.

A confirmed request is stored in one transaction, keyed by its submission key so that
the same confirmation arriving twice stores one request. The relay then sends each
pending request and records the outcome; nothing is ever deleted by sending, so every
request can be accounted for (``python -m data_requests``).

With ``DATABASE_URL`` set (``make cluster``) the outbox is a PostgreSQL table instead
(``data_requests.pg_outbox``), with the same methods; :func:`open_outbox` picks one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from settings import RequestSettings, RetentionSettings

UK = ZoneInfo("Europe/London")
PENDING, SENT, FAILED = "pending", "sent", "failed"
# While the relay sends a request it holds it this long (RELAY_LEASE_SECONDS); a relay
# that died mid-send releases it when the lease runs out, and the request is sent again.
SEND_LEASE = timedelta(minutes=2)

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
    sent_at         TEXT
);
CREATE INDEX IF NOT EXISTS requests_due ON requests (status, next_attempt_at);
"""


class OutboxUnavailable(RuntimeError):
    """The PostgreSQL outbox could not be reached or refused the operation (the SQLite
    one raises ``sqlite3.Error`` or ``OSError``); the request was not stored."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _stamp(moment: datetime) -> str:
    """One fixed ISO format, so stamps compare correctly as text in SQL."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _moment(value: str | datetime) -> datetime:
    """A stamp as SQLite keeps it (ISO text) or as PostgreSQL returns it."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _day(value: str | date) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def reference_for(received: datetime, request_id: int) -> str:
    """The reference customers and customer service quote: year of receipt (UK) and id."""
    return f"JES-{received.astimezone(UK).year}-{request_id:06d}"


def one_calendar_month_after(day: date) -> date:
    """The statutory deadline: the same day next month, or that month's last day."""
    return day + relativedelta(months=1)


@dataclass(frozen=True)
class StoredRequest:
    """A request as the outbox holds it."""

    id: int
    reference: str
    submission_key: str
    kind: str
    details: dict[str, Any]
    channel: str
    received_at: datetime
    due_on: date
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None

    @classmethod
    def from_row(cls, row: sqlite3.Row | dict[str, Any]) -> StoredRequest:
        """From a row of either store: SQLite's text columns or PostgreSQL's typed ones."""
        details = row["details"]
        return cls(
            id=row["id"],
            reference=row["reference"],
            submission_key=row["submission_key"],
            kind=row["kind"],
            details=json.loads(details) if isinstance(details, str) else details,
            channel=row["channel"],
            received_at=_moment(row["received_at"]),
            due_on=_day(row["due_on"]),
            status=row["status"],
            attempts=row["attempts"],
            next_attempt_at=_moment(row["next_attempt_at"]),
            last_error=row["last_error"],
            sent_at=_moment(row["sent_at"]) if row["sent_at"] else None,
        )


class RequestStore(Protocol):
    """What the action server, the relay, retention and the CLI need of an outbox; the
    SQLite :class:`Outbox` and ``pg_outbox.PostgresOutbox`` both provide it."""

    def submit(
        self,
        submission_key: str,
        kind: str,
        details: dict[str, Any],
        channel: str,
        now: datetime | None = None,
    ) -> StoredRequest: ...

    def claim_due(
        self, now: datetime | None = None, limit: int = 20, lease: timedelta = SEND_LEASE
    ) -> list[StoredRequest]: ...

    def mark_sent(self, request: StoredRequest, now: datetime | None = None) -> None: ...

    def mark_retry(self, request: StoredRequest, error: str, retry_at: datetime) -> None: ...

    def mark_failed(self, request: StoredRequest, error: str) -> None: ...

    def requeue(self, reference: str, now: datetime | None = None) -> bool: ...

    def delete_sent_before(self, moment: datetime) -> int: ...

    def get(self, reference: str) -> StoredRequest | None: ...

    def list(self, status: str | None = None) -> list[StoredRequest]: ...


class Outbox:
    """Access to the outbox file; cheap to create, one connection per operation."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")  # a stored request survives a power cut
        try:
            yield db
        finally:
            db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def submit(
        self,
        submission_key: str,
        kind: str,
        details: dict[str, Any],
        channel: str,
        now: datetime | None = None,
    ) -> StoredRequest:
        """Store a confirmed request, or return the one already stored under this key."""
        now = now or utc_now()
        with self._transaction() as db:
            row = db.execute(
                "SELECT * FROM requests WHERE submission_key = ?", (submission_key,)
            ).fetchone()
            if row is None:
                cursor = db.execute(
                    "INSERT INTO requests (submission_key, kind, details, channel, received_at,"
                    " due_on, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        submission_key,
                        kind,
                        json.dumps(details, ensure_ascii=False),
                        channel,
                        _stamp(now),
                        one_calendar_month_after(now.astimezone(UK).date()).isoformat(),
                        _stamp(now),
                    ),
                )
                reference = reference_for(now, cursor.lastrowid)
                db.execute(
                    "UPDATE requests SET reference = ? WHERE id = ?", (reference, cursor.lastrowid)
                )
                row = db.execute(
                    "SELECT * FROM requests WHERE id = ?", (cursor.lastrowid,)
                ).fetchone()
        return StoredRequest.from_row(row)

    def claim_due(
        self, now: datetime | None = None, limit: int = 20, lease: timedelta = SEND_LEASE
    ) -> list[StoredRequest]:
        """Pending requests whose time has come, leased to the caller for sending."""
        now = now or utc_now()
        with self._transaction() as db:
            rows = db.execute(
                "SELECT * FROM requests WHERE status = ? AND next_attempt_at <= ?"
                " ORDER BY id LIMIT ?",
                (PENDING, _stamp(now), limit),
            ).fetchall()
            db.executemany(
                "UPDATE requests SET next_attempt_at = ? WHERE id = ?",
                [(_stamp(now + lease), row["id"]) for row in rows],
            )
        return [StoredRequest.from_row(row) for row in rows]

    def _update(self, request_id: int, **columns: object) -> None:
        assignments = ", ".join(f"{name} = ?" for name in columns)
        with self._transaction() as db:
            db.execute(
                f"UPDATE requests SET {assignments} WHERE id = ?", (*columns.values(), request_id)
            )

    def mark_sent(self, request: StoredRequest, now: datetime | None = None) -> None:
        self._update(
            request.id,
            status=SENT,
            attempts=request.attempts + 1,
            sent_at=_stamp(now or utc_now()),
            last_error=None,
        )

    def mark_retry(self, request: StoredRequest, error: str, retry_at: datetime) -> None:
        self._update(
            request.id,
            attempts=request.attempts + 1,
            last_error=error,
            next_attempt_at=_stamp(retry_at),
        )

    def mark_failed(self, request: StoredRequest, error: str) -> None:
        self._update(request.id, status=FAILED, attempts=request.attempts + 1, last_error=error)

    def requeue(self, reference: str, now: datetime | None = None) -> bool:
        """Put a failed request back in the queue; False if there is no such failed one."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE requests SET status = ?, next_attempt_at = ?"
                " WHERE reference = ? AND status = ?",
                (PENDING, _stamp(now or utc_now()), reference, FAILED),
            )
            return cursor.rowcount == 1

    def delete_sent_before(self, moment: datetime) -> int:
        """Delete sent requests received before ``moment``, past their accountability
        period (``python -m stores.retention``); pending and failed ones are kept."""
        with self._transaction() as db:
            db.execute("PRAGMA secure_delete=ON")
            return db.execute(
                "DELETE FROM requests WHERE status = ? AND received_at < ?",
                (SENT, _stamp(moment)),
            ).rowcount

    def get(self, reference: str) -> StoredRequest | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM requests WHERE reference = ?", (reference,)).fetchone()
        return StoredRequest.from_row(row) if row else None

    def list(self, status: str | None = None) -> list[StoredRequest]:
        query, args = "SELECT * FROM requests", ()
        if status:
            query, args = query + " WHERE status = ?", (status,)
        with self._connect() as db:
            rows = db.execute(query + " ORDER BY id", args).fetchall()
        return [StoredRequest.from_row(row) for row in rows]


def open_outbox(settings: RequestSettings | RetentionSettings) -> RequestStore:
    """The outbox the settings name: PostgreSQL with ``DATABASE_URL``, else the file.

    psycopg is imported only then, so the embedded default needs no PostgreSQL client.
    """
    if settings.database_url:
        from data_requests.pg_outbox import PostgresOutbox

        return PostgresOutbox(settings.database_url)
    return Outbox(settings.outbox_db)
