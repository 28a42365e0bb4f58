"""The outbox's queries, written once for both stores, and what each operation means.

Queries are written in psycopg's named style (``%(name)s``); a store turns them into its
own with ``_sql`` and its values with ``_value`` (SQLite keeps times and JSON as text),
and puts ``_lock`` after a claim's inner SELECT (PostgreSQL's ``FOR UPDATE SKIP LOCKED``:
two relays claiming at once each get different rows and neither waits; SQLite's
``BEGIN IMMEDIATE`` already lets one writer in at a time). Every change of status is
written in one transaction with its line in the audit trail, so the trail never misses
nor invents one; every counter that guards a code (tries, codes sent, rate windows) is
one conditional UPDATE or upsert, so servers racing on it cannot exceed it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from data_requests.outbox.records import (
    AWAITING_VERIFICATION,
    CANCELLED,
    CODE_MAIL,
    CODE_REFUSED,
    CODE_SENT,
    FAILED,
    MAIL_FAILED,
    MAIL_RETRIED,
    PASSED_ON,
    PENDING,
    PURGED,
    RECEIPT_MAIL,
    RECEIPT_SENT,
    REQUEUED,
    RETRIED,
    SEND_LEASE,
    SENT,
    STATUSES,
    STORED,
    UNVERIFIED,
    VERIFIED,
    Acceptance,
    AuditEvent,
    CodeState,
    CustomerMail,
    StoredRequest,
    due_on,
    moment,
    reference_for,
    utc_now,
)
from storage import Database

QUEUED = "queued"  # a customer mail not sent yet
# Columns added after the first release, so an existing outbox is brought up to date.
ADDED_COLUMNS = (
    "verified_at",
    "verified_by",
    "email_key",
    "code_hash",
    "code_expires_at",
    "code_tries",
    "codes_sent",
    "last_code_at",
)

_BY_KEY = "SELECT * FROM requests WHERE submission_key = %(key)s"
_BY_ID = "SELECT * FROM requests WHERE id = %(id)s"
_BY_REFERENCE = "SELECT * FROM requests WHERE reference = %(reference)s"
_INSERT = """
INSERT INTO requests (submission_key, kind, details, channel, received_at, due_on, status,
    next_attempt_at, verified_at, verified_by, email_key, codes_sent, last_code_at)
VALUES (%(key)s, %(kind)s, %(details)s, %(channel)s, %(now)s, %(due)s, %(status)s,
    %(now)s, %(verified_at)s, %(verified_by)s, %(email_key)s, %(codes)s, %(now)s)
ON CONFLICT (submission_key) DO NOTHING RETURNING id
"""
_SET_REFERENCE = "UPDATE requests SET reference = %(reference)s WHERE id = %(id)s"
_CLAIM = """
UPDATE requests SET next_attempt_at = %(lease_until)s
WHERE id IN (
    SELECT id FROM requests
    WHERE status = %(pending)s AND next_attempt_at <= %(now)s
    ORDER BY id LIMIT %(limit)s{lock}
)
RETURNING *
"""
_RECORD = (
    "INSERT INTO request_events (reference, at, event, detail)"
    " VALUES (%(reference)s, %(at)s, %(event)s, %(detail)s)"
)
_HISTORY = "SELECT * FROM request_events WHERE reference = %(reference)s ORDER BY id"
_REQUEUE = (
    "UPDATE requests SET status = %(pending)s, next_attempt_at = %(now)s"
    " WHERE reference = %(reference)s AND status = %(failed)s"
)
_PURGEABLE = (
    "SELECT reference FROM requests WHERE status IN (%(sent)s, %(unverified)s, %(cancelled)s)"
    " AND received_at < %(before)s"
)
_PURGE_EVENTS = "DELETE FROM request_events WHERE reference = %(reference)s"
_PURGE_MAILS = "DELETE FROM customer_mails WHERE reference = %(reference)s"
_PURGE_REQUEST = "DELETE FROM requests WHERE reference = %(reference)s"
_COUNTS = "SELECT kind, status, COUNT(*) AS n FROM requests GROUP BY kind, status"
# Since when each pending request has waited: its last storing, verifying or re-queueing
# (a request stored before the trail existed has only its receipt).
_PENDING_SINCE = """
SELECT r.reference, COALESCE(MAX(e.at), r.received_at) AS since
FROM requests r LEFT JOIN request_events e
  ON e.reference = r.reference AND e.event IN (%(stored)s, %(verified)s, %(requeued)s)
WHERE r.status = %(pending)s
GROUP BY r.reference, r.received_at
"""
# --- verification ---
_TAKE_TRY = """
UPDATE requests SET code_tries = code_tries + 1
WHERE reference = %(reference)s AND status = %(awaiting)s AND code_hash IS NOT NULL
  AND code_tries < %(max_tries)s
RETURNING code_tries, code_hash, code_expires_at
"""
_SET_CODE = """
UPDATE requests SET code_hash = %(code_hash)s, code_expires_at = %(expires_at)s, code_tries = 0
WHERE reference = %(reference)s AND status = %(awaiting)s
"""
_VERIFY = """
UPDATE requests SET status = %(pending)s, verified_at = %(now)s, verified_by = %(by)s,
    due_on = %(due)s, next_attempt_at = %(now)s, code_hash = NULL, code_expires_at = NULL
WHERE reference = %(reference)s AND status = %(awaiting)s
"""
_CODE_MAIL_FAILING = """
SELECT 1 FROM customer_mails
WHERE reference = %(reference)s AND purpose = %(code)s AND status = %(queued)s AND attempts > 0
"""
_VOID_CODE = """
UPDATE requests SET code_hash = NULL, code_expires_at = NULL
WHERE reference = %(reference)s AND status = %(awaiting)s
"""
_NEW_CODE = """
UPDATE requests SET codes_sent = codes_sent + 1, last_code_at = %(now)s
WHERE reference = %(reference)s AND status = %(awaiting)s
  AND codes_sent < %(max_codes)s AND last_code_at <= %(not_before)s
"""
# Closing forgets the customer: details, the address's key and the code all go.
_CLOSE = """
UPDATE requests SET status = %(closed)s, details = %(nothing)s, email_key = NULL,
    code_hash = NULL, code_expires_at = NULL
WHERE reference = %(reference)s AND status = %(awaiting)s
"""
_EXPIRED = "SELECT reference FROM requests WHERE status = %(awaiting)s AND received_at < %(before)s"
_DROP_QUEUED_MAILS = (
    "DELETE FROM customer_mails WHERE reference = %(reference)s AND status = %(queued)s"
)
_COUNT_IN_WINDOW = """
INSERT INTO rate_counts (scope, window_start, count) VALUES (%(scope)s, %(window)s, 1)
ON CONFLICT (scope, window_start) DO UPDATE SET count = rate_counts.count + 1
RETURNING count
"""
_OLD_WINDOWS = "DELETE FROM rate_counts WHERE window_start < %(before)s"
# --- mails to the customer ---
_QUEUE_MAIL = (
    "INSERT INTO customer_mails (reference, purpose, status, due_at, attempts)"
    " VALUES (%(reference)s, %(purpose)s, %(queued)s, %(now)s, 0)"
)
_CLAIM_MAILS = """
UPDATE customer_mails SET due_at = %(lease_until)s
WHERE id IN (
    SELECT id FROM customer_mails
    WHERE status = %(queued)s AND due_at <= %(now)s
    ORDER BY id LIMIT %(limit)s{lock}
)
RETURNING *
"""
_MAIL_DONE = (
    "UPDATE customer_mails SET status = %(status)s, attempts = attempts + 1,"
    " last_error = %(error)s WHERE id = %(id)s"
)
_MAIL_LATER = (
    "UPDATE customer_mails SET due_at = %(retry_at)s, attempts = attempts + 1,"
    " last_error = %(error)s WHERE id = %(id)s"
)
_MAIL_SENT_EVENT = {CODE_MAIL: CODE_SENT, RECEIPT_MAIL: RECEIPT_SENT}


class SharedStore(Database):
    """Every outbox operation, for a store that supplies a connection and its dialect
    (``storage.sqlite``, ``storage.postgres``)."""

    def _record(
        self, db: Any, reference: str, event: str, at: datetime, detail: str | None = None
    ) -> None:
        args = {"reference": reference, "at": at, "event": event, "detail": detail}
        self._execute(db, _RECORD, args)

    def _queue_mail(self, db: Any, reference: str, purpose: str, now: datetime) -> None:
        args = {"reference": reference, "purpose": purpose, "queued": QUEUED, "now": now}
        self._execute(db, _QUEUE_MAIL, args)

    # --- storing and sending ---

    def submit(
        self,
        submission_key: str,
        kind: str,
        details: dict[str, Any],
        channel: str,
        now: datetime | None = None,
        acceptance: Acceptance = PASSED_ON,
    ) -> StoredRequest:
        """Store a confirmed request, or return the one already stored under this key.

        With a code to wait for, the request waits at ``awaiting_verification`` and its
        code mail is queued with it; otherwise it is pending for customer service at once
        and its receipt is queued. Looked up first, so a repeated confirmation does not
        use up an id (references would skip a number). Two servers inserting the same key
        at once: the second waits on the unique index, then inserts nothing.
        """
        now = now or utc_now()
        with self._transaction() as db:
            row = self._execute(db, _BY_KEY, {"key": submission_key}).fetchone()
            if row is None:
                self._insert(db, submission_key, kind, details, channel, now, acceptance)
                row = self._execute(db, _BY_KEY, {"key": submission_key}).fetchone()
        return StoredRequest.from_row(row)

    def _insert(
        self,
        db: Any,
        submission_key: str,
        kind: str,
        details: dict[str, Any],
        channel: str,
        now: datetime,
        acceptance: Acceptance,
    ) -> None:
        args = {
            "key": submission_key,
            "kind": kind,
            "details": details,
            "channel": channel,
            "now": now,
            "due": due_on(now),
            "status": AWAITING_VERIFICATION if acceptance.needs_code else PENDING,
            "verified_at": now if acceptance.verified_by else None,
            "verified_by": acceptance.verified_by,
            "email_key": acceptance.email_key,
            "codes": 1 if acceptance.needs_code else 0,
        }
        inserted = self._execute(db, _INSERT, args).fetchone()
        if inserted is None:
            return
        reference = reference_for(now, inserted["id"])
        self._execute(db, _SET_REFERENCE, {"reference": reference, "id": inserted["id"]})
        self._record(db, reference, STORED, now, acceptance.verified_by)
        self._queue_mail(db, reference, CODE_MAIL if acceptance.needs_code else RECEIPT_MAIL, now)

    def claim_due(
        self, now: datetime | None = None, limit: int = 20, lease: timedelta = SEND_LEASE
    ) -> list[StoredRequest]:
        """Pending requests whose time has come, leased to the caller for sending."""
        now = now or utc_now()
        args = {"lease_until": now + lease, "pending": PENDING, "now": now, "limit": limit}
        rows = self._rows(_CLAIM.format(lock=self._lock), args)
        return sorted((StoredRequest.from_row(row) for row in rows), key=lambda r: r.id)

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
        with self._transaction() as db:
            query = f"UPDATE requests SET {assignments} WHERE id = %(id)s"
            self._execute(db, query, {**columns, "id": request.id})
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
        args = {"pending": PENDING, "failed": FAILED, "now": now, "reference": reference}
        with self._transaction() as db:
            if self._execute(db, _REQUEUE, args).rowcount != 1:
                return False
            self._record(db, reference, REQUEUED, now)
        return True

    def delete_sent_before(self, moment: datetime, now: datetime | None = None) -> int:
        """Delete finished requests (sent, closed unverified, cancelled) received before
        ``moment``, past their accountability period (``python -m stores.retention``);
        pending, failed and awaiting ones are kept.

        The trail goes with the request; one line stays, that the reference was purged
        and when: it names no customer.
        """
        args = {"sent": SENT, "unverified": UNVERIFIED, "cancelled": CANCELLED, "before": moment}
        with self._transaction() as db:
            self._before_delete(db)
            references = [row["reference"] for row in self._execute(db, _PURGEABLE, args)]
            for reference in references:
                for query in (_PURGE_EVENTS, _PURGE_MAILS, _PURGE_REQUEST):
                    self._execute(db, query, {"reference": reference})
                self._record(db, reference, PURGED, now or utc_now())
        return len(references)

    # --- reading ---

    def get(self, reference: str) -> StoredRequest | None:
        rows = self._rows(_BY_REFERENCE, {"reference": reference})
        return StoredRequest.from_row(rows[0]) if rows else None

    def code_state(self, reference: str) -> CodeState | None:
        rows = self._rows(_BY_REFERENCE, {"reference": reference})
        return CodeState.from_row(rows[0]) if rows else None

    def list(self, status: str | None = None) -> list[StoredRequest]:
        where = " WHERE status = %(status)s" if status else ""
        rows = self._rows(f"SELECT * FROM requests{where} ORDER BY id", {"status": status})
        return [StoredRequest.from_row(row) for row in rows]

    def history(self, reference: str) -> list[AuditEvent]:
        """The request's audit trail, oldest first."""
        return [AuditEvent.from_row(r) for r in self._rows(_HISTORY, {"reference": reference})]

    def record(self, reference: str, event: str, detail: str | None = None) -> None:
        """Add a line to a request's trail that changes nothing else (an alert sent)."""
        with self._transaction() as db:
            self._record(db, reference, event, utc_now(), detail)

    def counts(self) -> dict[tuple[str, str], int]:
        """How many requests of each (kind, status) there are (for the metrics)."""
        return {(row["kind"], row["status"]): row["n"] for row in self._rows(_COUNTS, {})}

    def status_counts(self) -> dict[str, int]:
        """How many requests have each status, every status named (0 when none)."""
        totals = dict.fromkeys(STATUSES, 0)
        for (_, status), n in self.counts().items():
            totals[status] = totals.get(status, 0) + n
        return totals

    def pending_since(self) -> dict[str, datetime]:
        """Each pending request's reference, and since when it has waited to be sent."""
        args = {"stored": STORED, "verified": VERIFIED, "requeued": REQUEUED, "pending": PENDING}
        rows = self._rows(_PENDING_SINCE, args)
        return {row["reference"]: moment(row["since"]) for row in rows}

    # --- verification ---

    def take_try(self, reference: str, max_tries: int) -> tuple[int, CodeState] | None:
        """Use up one of the code's tries before comparing, so parallel guesses cannot
        exceed ``max_tries``: the tries used so far and the stored code, or None when
        the request awaits no code or its tries are gone."""
        args = {"reference": reference, "awaiting": AWAITING_VERIFICATION, "max_tries": max_tries}
        rows = self._rows(_TAKE_TRY, args)
        return (rows[0]["code_tries"], CodeState.from_row(rows[0])) if rows else None

    def refuse_code(self, reference: str, tries: int, max_tries: int) -> None:
        self.record(reference, CODE_REFUSED, f"try {tries} of {max_tries}")

    def code_mail_failing(self, reference: str) -> bool:
        """A code mail of the request has failed and waits to be tried again: the code
        stored now, if any, is one the relay is trying to send, not one the customer has."""
        args = {"reference": reference, "code": CODE_MAIL, "queued": QUEUED}
        return bool(self._rows(_CODE_MAIL_FAILING, args))

    def set_code(self, reference: str, code_hash: str, expires_at: datetime) -> bool:
        """Keep a new code's keyed hash (its tries start again); False if not awaited."""
        args = {
            "reference": reference,
            "awaiting": AWAITING_VERIFICATION,
            "code_hash": code_hash,
            "expires_at": expires_at,
        }
        with self._transaction() as db:
            return self._execute(db, _SET_CODE, args).rowcount == 1

    def verify(self, reference: str, by: str, now: datetime | None = None) -> bool:
        """The customer proved the address: pending for customer service, due one month
        from now, and a receipt queued. False if it was not awaiting verification."""
        now = now or utc_now()
        args = {
            "reference": reference,
            "awaiting": AWAITING_VERIFICATION,
            "pending": PENDING,
            "by": by,
            "now": now,
            "due": due_on(now),
        }
        with self._transaction() as db:
            if self._execute(db, _VERIFY, args).rowcount != 1:
                return False
            self._record(db, reference, VERIFIED, now, by)
            self._queue_mail(db, reference, RECEIPT_MAIL, now)
        return True

    def ask_new_code(
        self, reference: str, max_codes: int, not_before: datetime, now: datetime | None = None
    ) -> bool:
        """Queue another code mail, if fewer than ``max_codes`` were and the last one
        was queued before ``not_before``."""
        now = now or utc_now()
        args = {
            "reference": reference,
            "awaiting": AWAITING_VERIFICATION,
            "max_codes": max_codes,
            "not_before": not_before,
            "now": now,
        }
        with self._transaction() as db:
            if self._execute(db, _NEW_CODE, args).rowcount != 1:
                return False
            self._queue_mail(db, reference, CODE_MAIL, now)
        return True

    def _close(self, db: Any, reference: str, status: str, now: datetime) -> bool:
        args = {
            "reference": reference,
            "closed": status,
            "nothing": {},
            "awaiting": AWAITING_VERIFICATION,
        }
        if self._execute(db, _CLOSE, args).rowcount != 1:
            return False
        self._execute(db, _DROP_QUEUED_MAILS, {"reference": reference, "queued": QUEUED})
        self._record(db, reference, status, now)
        return True

    def cancel(self, reference: str, now: datetime | None = None) -> bool:
        """The customer withdrew a request still awaiting its code: closed, details deleted."""
        with self._transaction() as db:
            self._before_delete(db)
            return self._close(db, reference, CANCELLED, now or utc_now())

    def close_unverified(self, received_before: datetime, now: datetime | None = None) -> int:
        """Close every request still unverified that was received before
        ``received_before``: it never reaches customer service, and its customer's details
        are deleted with it. Old rate-limit windows go too."""
        now = now or utc_now()
        args = {"awaiting": AWAITING_VERIFICATION, "before": received_before}
        with self._transaction() as db:
            self._before_delete(db)
            expired = [row["reference"] for row in self._execute(db, _EXPIRED, args)]
            closed = sum(self._close(db, reference, UNVERIFIED, now) for reference in expired)
            self._execute(db, _OLD_WINDOWS, {"before": received_before})
        return closed

    def count_in_window(self, scope: str, window_start: datetime) -> int:
        """Count one more event for ``scope`` in the window starting ``window_start``,
        and return the window's count, this one included."""
        args = {"scope": scope, "window": window_start}
        with self._transaction() as db:
            return self._execute(db, _COUNT_IN_WINDOW, args).fetchone()["count"]

    # --- mails to the customer ---

    def claim_mails(
        self, now: datetime | None = None, limit: int = 20, lease: timedelta = SEND_LEASE
    ) -> list[CustomerMail]:
        """Customer mails whose time has come, leased to the caller as requests are."""
        now = now or utc_now()
        args = {"lease_until": now + lease, "queued": QUEUED, "now": now, "limit": limit}
        rows = self._rows(_CLAIM_MAILS.format(lock=self._lock), args)
        return sorted((CustomerMail.from_row(row) for row in rows), key=lambda m: m.id)

    def _mail_outcome(
        self, mail: CustomerMail, query: str, event: str, detail: str | None, **args: object
    ) -> None:
        """Record how a mail went; a code that did not go out is void, so until a code
        reaches the customer the chat says it is on its way rather than "wrong"."""
        with self._transaction() as db:
            self._execute(db, query, {"id": mail.id, **args})
            if mail.purpose == CODE_MAIL and event != CODE_SENT:
                args = {"reference": mail.reference, "awaiting": AWAITING_VERIFICATION}
                self._execute(db, _VOID_CODE, args)
            self._record(db, mail.reference, event, utc_now(), detail)

    def mark_mail_sent(self, mail: CustomerMail, now: datetime | None = None) -> None:
        event = _MAIL_SENT_EVENT[mail.purpose]
        self._mail_outcome(mail, _MAIL_DONE, event, None, status=SENT, error=None)

    def mark_mail_retry(self, mail: CustomerMail, error: str, retry_at: datetime) -> None:
        detail = f"{mail.purpose} mail: {error}"
        self._mail_outcome(mail, _MAIL_LATER, MAIL_RETRIED, detail, retry_at=retry_at, error=error)

    def mark_mail_failed(self, mail: CustomerMail, error: str) -> None:
        detail = f"{mail.purpose} mail: {error}"
        self._mail_outcome(mail, _MAIL_DONE, MAIL_FAILED, detail, status=FAILED, error=error)
