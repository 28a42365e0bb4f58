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
import re
import sqlite3
from collections.abc import Callable, Iterator
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
# What the audit trail records: each change of a request's status, and the alerts about it.
STORED, RETRIED, REQUEUED, PURGED, ALERTED = "stored", "retried", "requeued", "purged", "alerted"
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
CREATE TABLE IF NOT EXISTS request_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    reference TEXT NOT NULL,
    at        TEXT NOT NULL,
    event     TEXT NOT NULL,
    detail    TEXT
);
CREATE INDEX IF NOT EXISTS request_events_reference ON request_events (reference, id);
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


@dataclass(frozen=True)
class AuditEvent:
    """One line of a request's audit trail: what happened to it, and when.

    ``detail`` is the SMTP reply of a retry or failure, or the cause of an alert; never
    the customer's details, which stay in the request itself.
    """

    reference: str
    at: datetime
    event: str
    detail: str | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row | dict[str, Any]) -> AuditEvent:
        return cls(row["reference"], _moment(row["at"]), row["event"], row["detail"])


class RequestStore(Protocol):
    """What the action server, the relay, retention, the monitor and the CLI need of an
    outbox; the SQLite :class:`Outbox` and ``pg_outbox.PostgresOutbox`` both provide it."""

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

    def history(self, reference: str) -> list[AuditEvent]: ...

    def record(self, reference: str, event: str, detail: str | None = None) -> None: ...

    def status_counts(self) -> dict[str, int]: ...

    def pending_since(self) -> dict[str, datetime]: ...


_RECORD = (
    "INSERT INTO request_events (reference, at, event, detail)"
    " VALUES (%(reference)s, %(at)s, %(event)s, %(detail)s)"
)
_HISTORY = "SELECT * FROM request_events WHERE reference = %(reference)s ORDER BY id"
_REQUEUE = (
    "UPDATE requests SET status = %(pending)s, next_attempt_at = %(now)s"
    " WHERE reference = %(reference)s AND status = %(failed)s"
)
_PURGEABLE = "SELECT reference FROM requests WHERE status = %(sent)s AND received_at < %(before)s"
_PURGE_EVENTS = "DELETE FROM request_events WHERE reference = %(reference)s"
_PURGE_REQUEST = "DELETE FROM requests WHERE reference = %(reference)s"
_COUNTS = "SELECT status, COUNT(*) AS n FROM requests GROUP BY status"
# Since when each pending request has waited: its last storing or re-queueing (a request
# stored before the trail existed has only its receipt).
_PENDING_SINCE = """
SELECT r.reference, COALESCE(MAX(e.at), r.received_at) AS since
FROM requests r LEFT JOIN request_events e
  ON e.reference = r.reference AND e.event IN (%(stored)s, %(requeued)s)
WHERE r.status = %(pending)s
GROUP BY r.reference, r.received_at
"""


class SharedStore:
    """What both outbox stores do the same way: each change of status and its line in the
    audit trail, written in one transaction so the trail never misses nor invents one.

    Queries are written once in psycopg's named style (``%(name)s``); a store turns them
    into its own with :meth:`_sql` and its times with :meth:`_time`.
    """

    def _transaction(self) -> Any:
        raise NotImplementedError

    def _sql(self, query: str) -> str:
        return query

    def _time(self, moment: datetime) -> object:
        return moment

    def _execute(self, db: Any, query: str, args: dict[str, Any]) -> Any:
        return db.execute(self._sql(query), args)

    def _record(
        self, db: Any, reference: str, event: str, at: datetime, detail: str | None = None
    ) -> None:
        args = {"reference": reference, "at": self._time(at), "event": event, "detail": detail}
        self._execute(db, _RECORD, args)

    def _change(
        self,
        request: StoredRequest,
        event: str,
        detail: str | None = None,
        now: datetime | None = None,
        **columns: object,
    ) -> None:
        """Update the request's ``columns`` and record ``event`` in its trail, together."""
        assignments = ", ".join(f"{name} = %({name})s" for name in columns)
        values = {k: self._time(v) if isinstance(v, datetime) else v for k, v in columns.items()}
        with self._transaction() as db:
            query = f"UPDATE requests SET {assignments} WHERE id = %(id)s"
            self._execute(db, query, {**values, "id": request.id})
            self._record(db, request.reference, event, now or utc_now(), detail)

    def mark_sent(self, request: StoredRequest, now: datetime | None = None) -> None:
        now = now or utc_now()
        columns = {"status": SENT, "attempts": request.attempts + 1, "sent_at": now}
        self._change(request, SENT, now=now, last_error=None, **columns)

    def mark_retry(self, request: StoredRequest, error: str, retry_at: datetime) -> None:
        columns = {"attempts": request.attempts + 1, "next_attempt_at": retry_at}
        self._change(request, RETRIED, error, last_error=error, **columns)

    def mark_failed(self, request: StoredRequest, error: str) -> None:
        columns = {"status": FAILED, "attempts": request.attempts + 1}
        self._change(request, FAILED, error, last_error=error, **columns)

    def requeue(self, reference: str, now: datetime | None = None) -> bool:
        """Put a failed request back in the queue; False if there is no such failed one."""
        now = now or utc_now()
        args = {"pending": PENDING, "failed": FAILED, "now": self._time(now)}
        args["reference"] = reference
        with self._transaction() as db:
            if self._execute(db, _REQUEUE, args).rowcount != 1:
                return False
            self._record(db, reference, REQUEUED, now)
        return True

    def _before_delete(self, db: Any) -> None:
        """Anything a store must do before deleting personal data (SQLite: overwrite it)."""

    def delete_sent_before(self, moment: datetime, now: datetime | None = None) -> int:
        """Delete sent requests received before ``moment``, past their accountability
        period (``python -m stores.retention``); pending and failed ones are kept.

        The trail goes with the request; one line stays, that the reference was purged
        and when: it names no customer.
        """
        args = {"sent": SENT, "before": self._time(moment)}
        with self._transaction() as db:
            self._before_delete(db)
            rows = self._execute(db, _PURGEABLE, args).fetchall()
            references = [row["reference"] for row in rows]
            for reference in references:
                self._execute(db, _PURGE_EVENTS, {"reference": reference})
                self._execute(db, _PURGE_REQUEST, {"reference": reference})
                self._record(db, reference, PURGED, now or utc_now())
        return len(references)

    def history(self, reference: str) -> list[AuditEvent]:
        """The request's audit trail, oldest first."""
        with self._transaction() as db:
            rows = self._execute(db, _HISTORY, {"reference": reference}).fetchall()
        return [AuditEvent.from_row(row) for row in rows]

    def record(self, reference: str, event: str, detail: str | None = None) -> None:
        """Add a line to a request's trail that changes nothing else (an alert sent)."""
        with self._transaction() as db:
            self._record(db, reference, event, utc_now(), detail)

    def status_counts(self) -> dict[str, int]:
        """How many requests have each status (for the metrics)."""
        with self._transaction() as db:
            rows = self._execute(db, _COUNTS, {}).fetchall()
        return {PENDING: 0, SENT: 0, FAILED: 0} | {row["status"]: row["n"] for row in rows}

    def pending_since(self) -> dict[str, datetime]:
        """Each pending request's reference, and since when it has waited to be sent."""
        args = {"stored": STORED, "requeued": REQUEUED, "pending": PENDING}
        with self._transaction() as db:
            rows = self._execute(db, _PENDING_SINCE, args).fetchall()
        return {row["reference"]: _moment(row["since"]) for row in rows}


_NAMED = re.compile(r"%\((\w+)\)s")


class Outbox(SharedStore):
    """Access to the outbox file; cheap to create, one connection per operation."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    def _sql(self, query: str) -> str:
        """psycopg's ``%(name)s`` as SQLite's ``:name``."""
        return _NAMED.sub(r":\1", query)

    def _time(self, moment: datetime) -> object:
        return _stamp(moment)

    def _before_delete(self, db: sqlite3.Connection) -> None:
        db.execute("PRAGMA secure_delete=ON")

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
                self._record(db, reference, STORED, now)
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


def opened_once(settings: RequestSettings) -> Callable[[], RequestStore]:
    """The outbox, opened at first use and kept: opening creates the tables if missing,
    which a check made every second need not repeat (a PostgreSQL one down at the
    first use is tried again at the next)."""
    opened: list[RequestStore] = []

    def store() -> RequestStore:
        if not opened:
            opened.append(open_outbox(settings))
        return opened[0]

    return store


def open_outbox(settings: RequestSettings | RetentionSettings) -> RequestStore:
    """The outbox the settings name: PostgreSQL with ``DATABASE_URL``, else the file.

    psycopg is imported only then, so the embedded default needs no PostgreSQL client.
    """
    if settings.database_url:
        from data_requests.pg_outbox import PostgresOutbox

        return PostgresOutbox(settings.database_url)
    return Outbox(settings.outbox_db)
