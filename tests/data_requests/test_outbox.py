"""The outbox: durable, idempotent, accountable, on a real SQLite file and on a real
PostgreSQL server (the same tests for both stores)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from data_requests.outbox import (
    FAILED,
    PENDING,
    SENT,
    STATUSES,
    RequestStore,
    one_calendar_month_after,
    open_outbox,
)
from settings import RequestSettings

NOW = datetime(2026, 1, 31, 10, 0, tzinfo=timezone.utc)
DETAILS = {"full_name": "Jane Doe", "email": "jane@example.com"}


@pytest.fixture(params=["sqlite", "postgresql"])
def reopen(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], RequestStore]:
    """Opens the test's outbox, as each process does: a file, or a PostgreSQL database."""
    database_url = request.getfixturevalue("database_url") if request.param != "sqlite" else ""
    environ = {"OUTBOX_DB": str(tmp_path / "outbox.db"), "DATABASE_URL": database_url}
    return lambda: open_outbox(RequestSettings.from_env(environ))


@pytest.fixture
def outbox(reopen: Callable[[], RequestStore]) -> RequestStore:
    return reopen()


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2026, 3, 15), date(2026, 4, 15)),
        (date(2026, 12, 20), date(2027, 1, 20)),
    ],
)
def test_due_date_is_one_calendar_month(received: date, due: date) -> None:
    assert one_calendar_month_after(received) == due


def test_submit_stores_with_reference_and_due_date(
    outbox: RequestStore, reopen: Callable[[], RequestStore]
) -> None:
    stored = outbox.submit("key-1", "deletion", DETAILS, "rest", now=NOW)
    assert stored.reference == "JES-2026-000001"
    assert stored.status == PENDING and stored.attempts == 0
    assert stored.due_on == date(2026, 2, 28)
    assert reopen().get("JES-2026-000001") == stored  # survives reopening, every field


def test_the_same_confirmation_twice_stores_one_request(outbox: RequestStore) -> None:
    first = outbox.submit("key-1", "deletion", DETAILS, "rest", now=NOW)
    second = outbox.submit("key-1", "deletion", DETAILS, "rest", now=NOW + timedelta(seconds=5))
    assert first == second and len(outbox.list()) == 1
    third = outbox.submit("key-2", "correction", DETAILS, "rest", now=NOW)
    assert third.reference == "JES-2026-000002"


def test_claim_due_leases_and_outcomes_are_recorded(outbox: RequestStore) -> None:
    stored = outbox.submit("key-1", "deletion", DETAILS, "rest", now=NOW)
    [claimed] = outbox.claim_due(now=NOW)
    assert claimed.id == stored.id
    assert outbox.claim_due(now=NOW + timedelta(seconds=1)) == []  # leased to the first caller
    outbox.mark_retry(claimed, "SMTPConnectError: refused", NOW + timedelta(seconds=4))
    assert outbox.claim_due(now=NOW + timedelta(seconds=3)) == []
    [again] = outbox.claim_due(now=NOW + timedelta(seconds=4))
    assert again.attempts == 1 and "refused" in again.last_error
    outbox.mark_sent(again, now=NOW + timedelta(seconds=5))
    done = outbox.get(stored.reference)
    assert done.status == SENT and done.attempts == 2 and done.sent_at


def test_failed_requests_are_listed_and_can_be_requeued(outbox: RequestStore) -> None:
    stored = outbox.submit("key-1", "deletion", DETAILS, "rest", now=NOW)
    outbox.mark_failed(outbox.claim_due(now=NOW)[0], "SMTPRecipientsRefused: 550")
    assert [r.reference for r in outbox.list(FAILED)] == [stored.reference]
    assert outbox.requeue(stored.reference)
    assert not outbox.requeue(stored.reference)  # no longer failed
    assert outbox.get(stored.reference).status == PENDING


def test_every_change_is_in_the_trail_until_the_request_is_purged(outbox: RequestStore) -> None:
    stored = outbox.submit("key-1", "deletion", DETAILS, "rest", now=NOW)
    outbox.submit("key-1", "deletion", DETAILS, "rest", now=NOW)  # the same: not stored again
    [claimed] = outbox.claim_due(now=NOW)
    outbox.mark_failed(claimed, "SMTPDataError: (554, 'Rejected')")
    assert outbox.requeue(stored.reference, now=NOW + timedelta(minutes=1))
    outbox.mark_sent(outbox.claim_due(now=NOW + timedelta(minutes=1))[0], now=NOW)
    trail = outbox.history(stored.reference)
    assert [e.event for e in trail] == ["stored", "failed", "requeued", "sent"]
    assert trail[0].at == NOW and "554" in trail[1].detail
    assert outbox.status_counts() == dict.fromkeys(STATUSES, 0) | {SENT: 1}
    assert outbox.delete_sent_before(NOW + timedelta(days=1)) == 1
    [purged] = outbox.history(stored.reference)  # the trail went with the request
    assert purged.event == "purged" and purged.detail is None


def test_pending_since_counts_from_the_last_requeue(outbox: RequestStore) -> None:
    first = outbox.submit("key-1", "deletion", DETAILS, "rest", now=NOW)
    second = outbox.submit("key-2", "deletion", DETAILS, "rest", now=NOW + timedelta(hours=1))
    outbox.mark_failed(outbox.get(first.reference), "554")
    assert outbox.pending_since() == {second.reference: NOW + timedelta(hours=1)}
    later = NOW + timedelta(hours=2)
    outbox.requeue(first.reference, now=later)
    assert outbox.pending_since()[first.reference] == later
    assert outbox.status_counts()[PENDING] == 2
