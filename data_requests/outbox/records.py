"""What the outbox holds: a request, a line of its audit trail, a mail to its customer,
and the statuses and events they move through. No storage here (``sql.py`` and the two
stores), so every part of the project can read a request without opening one.

A request's life (docs/data-requests.md):

    awaiting_verification --right code--> pending --relay--> sent
          |                                   \\--5xx--> failed --requeue--> pending
          +--not verified in VERIFY_WITHIN_DAYS--> unverified (details deleted)
          +--the customer cancels--> cancelled (details deleted)

A marketing opt-out, and a request support staff make for a customer, start at
``pending``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from storage import StoreUnavailable, moment

UK = ZoneInfo("Europe/London")
AWAITING_VERIFICATION, PENDING, SENT, FAILED = "awaiting_verification", "pending", "sent", "failed"
UNVERIFIED, CANCELLED = "unverified", "cancelled"
STATUSES = (AWAITING_VERIFICATION, PENDING, SENT, FAILED, UNVERIFIED, CANCELLED)
# What the audit trail records: each change of a request's status, the codes and mails
# to its customer, and the alerts about it. Never a code or a customer's detail.
STORED, RETRIED, REQUEUED, PURGED, ALERTED = "stored", "retried", "requeued", "purged", "alerted"
CODE_SENT, CODE_REFUSED, VERIFIED = "code_sent", "code_refused", "verified"
RECEIPT_SENT, MAIL_RETRIED, MAIL_FAILED = "receipt_sent", "mail_retried", "mail_failed"
# The two mails a customer may get about their request.
CODE_MAIL, RECEIPT_MAIL = "code", "receipt"
# While the relay sends a request it holds it this long (RELAY_LEASE_SECONDS); a relay
# that died mid-send releases it when the lease runs out, and the request is sent again.
SEND_LEASE = timedelta(minutes=2)


class OutboxUnavailable(StoreUnavailable):
    """The PostgreSQL outbox could not be reached or refused the operation (the SQLite
    one raises ``sqlite3.Error`` or ``OSError``); the request was not stored."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def day(value: str | date) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def reference_for(received: datetime, request_id: int) -> str:
    """The reference customers and customer service quote: year of receipt (UK) and id."""
    return f"JES-{received.astimezone(UK).year}-{request_id:06d}"


def one_calendar_month_after(start: date) -> date:
    """The statutory deadline: the same day next month, or that month's last day."""
    return start + relativedelta(months=1)


def due_on(start: datetime) -> date:
    """When customer service must answer a request accepted at ``start`` (UK date)."""
    return one_calendar_month_after(start.astimezone(UK).date())


@dataclass(frozen=True)
class Acceptance:
    """How a request is let through to customer service when it is stored.

    ``needs_code``: held at ``awaiting_verification`` until its customer types the code
    mailed to them. Otherwise it is pending at once, and ``verified_by`` says who vouched
    for the customer (support staff), or is None (a marketing opt-out: passed on unverified).
    """

    needs_code: bool
    verified_by: str | None = None
    email_key: str | None = None


PASSED_ON = Acceptance(needs_code=False)  # a marketing opt-out: pending at once, unverified


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
    verified_at: datetime | None = None
    verified_by: str | None = None

    @classmethod
    def from_row(cls, row: Any) -> StoredRequest:
        """From a row of either store: SQLite's text columns or PostgreSQL's typed ones."""
        details = row["details"]
        return cls(
            id=row["id"],
            reference=row["reference"],
            submission_key=row["submission_key"],
            kind=row["kind"],
            details=json.loads(details) if isinstance(details, str) else details,
            channel=row["channel"],
            received_at=moment(row["received_at"]),
            due_on=day(row["due_on"]),
            status=row["status"],
            attempts=row["attempts"],
            next_attempt_at=moment(row["next_attempt_at"]),
            last_error=row["last_error"],
            sent_at=moment(row["sent_at"]),
            verified_at=moment(row["verified_at"]),
            verified_by=row["verified_by"],
        )


@dataclass(frozen=True)
class CodeState:
    """The code a request awaits, as stored: only its keyed hash, never the code."""

    code_hash: str | None
    expires_at: datetime | None
    tries: int

    @classmethod
    def from_row(cls, row: Any) -> CodeState:
        return cls(row["code_hash"], moment(row["code_expires_at"]), row["code_tries"])


@dataclass(frozen=True)
class CustomerMail:
    """A mail to the customer about their request: its code, or its receipt."""

    id: int
    reference: str
    purpose: str  # CODE_MAIL or RECEIPT_MAIL
    attempts: int

    @classmethod
    def from_row(cls, row: Any) -> CustomerMail:
        return cls(row["id"], row["reference"], row["purpose"], row["attempts"])


@dataclass(frozen=True)
class AuditEvent:
    """One line of a request's audit trail: what happened to it, and when.

    ``detail`` is the SMTP reply of a retry or failure, the cause of an alert, or who
    verified; never the customer's details, which stay in the request itself.
    """

    reference: str
    at: datetime
    event: str
    detail: str | None = None

    @classmethod
    def from_row(cls, row: Any) -> AuditEvent:
        return cls(row["reference"], moment(row["at"]), row["event"], row["detail"])


class RequestStore(Protocol):
    """What the action server, the relay, retention, the monitor and the CLI need of an
    outbox; the SQLite and PostgreSQL stores both provide it (``sql.SharedStore``)."""

    def submit(
        self,
        submission_key: str,
        kind: str,
        details: dict[str, Any],
        channel: str,
        now: datetime | None = None,
        acceptance: Acceptance = PASSED_ON,
    ) -> StoredRequest: ...

    def claim_due(
        self, now: datetime | None = None, limit: int = 20, lease: timedelta = SEND_LEASE
    ) -> list[StoredRequest]: ...

    def mark_sent(self, request: StoredRequest, now: datetime | None = None) -> None: ...

    def mark_retry(self, request: StoredRequest, error: str, retry_at: datetime) -> None: ...

    def mark_failed(self, request: StoredRequest, error: str) -> None: ...

    def requeue(self, reference: str, now: datetime | None = None) -> bool: ...

    def delete_sent_before(self, moment: datetime, now: datetime | None = None) -> int: ...

    def get(self, reference: str) -> StoredRequest | None: ...

    def list(self, status: str | None = None) -> list[StoredRequest]: ...

    def history(self, reference: str) -> list[AuditEvent]: ...

    def record(self, reference: str, event: str, detail: str | None = None) -> None: ...

    def counts(self) -> dict[tuple[str, str], int]: ...

    def pending_since(self) -> dict[str, datetime]: ...

    def take_try(self, reference: str, max_tries: int) -> tuple[int, CodeState] | None: ...

    def refuse_code(self, reference: str, tries: int, max_tries: int) -> None: ...

    def code_mail_failing(self, reference: str) -> bool: ...

    def set_code(self, reference: str, code_hash: str, expires_at: datetime) -> bool: ...

    def verify(self, reference: str, by: str, now: datetime | None = None) -> bool: ...

    def ask_new_code(
        self, reference: str, max_codes: int, not_before: datetime, now: datetime | None = None
    ) -> bool: ...

    def cancel(self, reference: str, now: datetime | None = None) -> bool: ...

    def close_unverified(self, received_before: datetime, now: datetime | None = None) -> int: ...

    def count_in_window(self, scope: str, window_start: datetime) -> int: ...

    def claim_mails(
        self, now: datetime | None = None, limit: int = 20, lease: timedelta = SEND_LEASE
    ) -> list[CustomerMail]: ...

    def mark_mail_sent(self, mail: CustomerMail, now: datetime | None = None) -> None: ...

    def mark_mail_retry(self, mail: CustomerMail, error: str, retry_at: datetime) -> None: ...

    def mark_mail_failed(self, mail: CustomerMail, error: str) -> None: ...
