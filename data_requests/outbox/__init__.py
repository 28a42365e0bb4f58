"""The durable outbox of data requests, written before the customer is told.

A confirmed request is stored in one transaction, keyed by its submission key so that
the same confirmation arriving twice stores one request. A request whose customer must
prove their address waits for its code (``data_requests.verification``); the relay then
sends each pending request, and each mail to a customer, and records the outcome.
Nothing is deleted by sending, so every request can be accounted for
(``python -m data_requests``).

- ``records``: a request, its audit trail, its statuses (no storage);
- ``sql``: every operation, its SQL written once;
- ``sqlite``: the file ``make run`` uses; ``postgres``: the server ``make cluster`` uses.
"""

from __future__ import annotations

from collections.abc import Callable

from data_requests.outbox.records import (
    ALERTED,
    AWAITING_VERIFICATION,
    CANCELLED,
    FAILED,
    PENDING,
    SEND_LEASE,
    SENT,
    STATUSES,
    UK,
    UNVERIFIED,
    Acceptance,
    AuditEvent,
    CustomerMail,
    OutboxUnavailable,
    RequestStore,
    StoredRequest,
    one_calendar_month_after,
    utc_now,
)
from data_requests.outbox.sqlite import Outbox
from settings import RequestSettings, RetentionSettings

__all__ = [
    "ALERTED",
    "AWAITING_VERIFICATION",
    "CANCELLED",
    "FAILED",
    "PENDING",
    "SEND_LEASE",
    "SENT",
    "STATUSES",
    "UK",
    "UNVERIFIED",
    "Acceptance",
    "AuditEvent",
    "CustomerMail",
    "Outbox",
    "OutboxUnavailable",
    "RequestStore",
    "StoredRequest",
    "one_calendar_month_after",
    "open_outbox",
    "opened_once",
    "utc_now",
]


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
        from data_requests.outbox.postgres import PostgresOutbox

        return PostgresOutbox(settings.database_url)
    return Outbox(settings.outbox_db)
