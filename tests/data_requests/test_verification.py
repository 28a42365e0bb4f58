"""Proving the address: codes made, kept only as keyed hashes, tried a limited number of
times, on a real SQLite file and a real PostgreSQL server (the same tests for both)."""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from data_requests import verification
from data_requests.cli import main as requests_cli
from data_requests.mail import compose_code
from data_requests.outbox import (
    AWAITING_VERIFICATION,
    CANCELLED,
    PENDING,
    UNVERIFIED,
    Acceptance,
    Outbox,
    RequestStore,
    open_outbox,
)
from data_requests.relay import Relay
from settings import RequestSettings, SmtpSettings, VerificationSettings
from stack.mail_sink import SavingHandler, saved_messages
from stack.ports import free_port
from tests.support.smtp_servers import smtp_server

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
DETAILS = {"full_name": "Jane Doe", "email": "jane@example.com", "phone": None}
SETTINGS = VerificationSettings(secret="test-secret")
NEEDS_CODE = Acceptance(needs_code=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> RequestStore:
    database_url = request.getfixturevalue("database_url") if request.param != "sqlite" else ""
    environ = {"OUTBOX_DB": str(tmp_path / "outbox.db"), "DATABASE_URL": database_url}
    return open_outbox(RequestSettings.from_env(environ))


def awaiting(store: RequestStore, key: str = "k1", details: dict | None = None) -> tuple[str, str]:
    """A stored request awaiting its code, and the code the relay would mail."""
    request = store.submit(key, "deletion", details or DETAILS, "rest", NOW, NEEDS_CODE)
    code = verification.issue_code(store, SETTINGS, request.reference, NOW)
    assert code is not None and len(code) == 6 and code.isdigit()
    return request.reference, code


def other_than(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def check(store: RequestStore, reference: str, text: str, who: str = "c1", at: datetime = NOW):
    return verification.check_code(store, SETTINGS, reference, text, who, at)


def test_the_right_code_verifies_and_the_due_date_counts_from_then(store: RequestStore) -> None:
    reference, code = awaiting(store)
    assert store.get(reference).status == AWAITING_VERIFICATION
    later = NOW + timedelta(minutes=5)
    assert check(store, reference, f"my code is {code[:3]} {code[3:]}", at=later).outcome == (
        verification.VERIFIED
    )
    verified = store.get(reference)
    assert verified.status == PENDING and verified.verified_by == verification.BY_EMAIL_CODE
    assert verified.verified_at == later and verified.due_on.isoformat() == "2026-04-02"
    assert [e.event for e in store.history(reference)] == ["stored", "verified"]
    # Verified once: the same code again finds nothing awaiting.
    assert check(store, reference, code).outcome == verification.NOT_AWAITING


def test_only_a_keyed_hash_of_the_code_is_stored(store: RequestStore) -> None:
    reference, code = awaiting(store)
    state = store.code_state(reference)
    assert code not in (state.code_hash or "")
    assert state.code_hash == verification.code_hash(b"test-secret", reference, code)
    assert state.code_hash != verification.code_hash(b"other-key", reference, code)


def test_wrong_codes_count_down_then_the_code_is_void(store: RequestStore) -> None:
    reference, code = awaiting(store)
    outcomes = [check(store, reference, other_than(code)) for _ in range(SETTINGS.max_tries)]
    assert [(o.outcome, o.tries_left) for o in outcomes] == [
        (verification.WRONG, 4),
        (verification.WRONG, 3),
        (verification.WRONG, 2),
        (verification.WRONG, 1),
        (verification.USED_UP, 0),
    ]
    assert check(store, reference, code).outcome == verification.USED_UP  # even the right one
    assert store.get(reference).status == AWAITING_VERIFICATION
    refused = [e.detail for e in store.history(reference) if e.event == "code_refused"]
    assert refused == [f"try {n} of 5" for n in range(1, 6)] and code not in str(refused)


class VoidedWhileTyped:
    """The store as a customer's check meets it when the relay's code mail fails between
    the check reading the code and taking a try: the failed mail voids the code."""

    def __init__(self, store: RequestStore) -> None:
        self._store = store

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    def take_try(self, reference: str, max_tries: int) -> object:
        [mail] = self._store.claim_mails(NOW)
        self._store.mark_mail_retry(mail, "mail server down", NOW + timedelta(minutes=1))
        return self._store.take_try(reference, max_tries)


def test_a_code_voided_while_typed_is_still_on_its_way(store: RequestStore) -> None:
    reference, code = awaiting(store)
    raced = VoidedWhileTyped(store)
    outcome = verification.check_code(raced, SETTINGS, reference, code, "c1", NOW)
    assert outcome.outcome == verification.NO_CODE_YET
    assert store.code_state(reference).code_hash is None


def test_while_the_code_mail_is_retried_a_guess_is_told_the_code_is_on_its_way(
    store: RequestStore,
) -> None:
    """The relay makes a code just before each try to mail it; a guess typed during a
    retry meets that code, which the customer cannot have: no try is used up."""
    request = store.submit("k1", "deletion", DETAILS, "rest", NOW, NEEDS_CODE)
    [mail] = store.claim_mails(NOW)
    store.mark_mail_retry(mail, "mail server down", NOW)
    code = verification.issue_code(store, SETTINGS, request.reference, NOW)  # the retry
    assert check(store, request.reference, other_than(code)).outcome == verification.NO_CODE_YET
    assert store.code_state(request.reference).tries == 0
    # The code that went out, typed at once, is right.
    assert check(store, request.reference, code).outcome == verification.VERIFIED


def test_an_expired_code_is_refused(store: RequestStore) -> None:
    reference, code = awaiting(store)
    too_late = NOW + timedelta(minutes=SETTINGS.code_minutes, seconds=1)
    assert check(store, reference, code, at=too_late).outcome == verification.EXPIRED


def test_a_code_of_another_request_is_wrong(store: RequestStore) -> None:
    first, first_code = awaiting(store, "k1")
    second, second_code = awaiting(store, "k2")
    if first_code != second_code:
        assert check(store, second, first_code, who="c2").outcome == verification.WRONG
    assert check(store, first, first_code).outcome == verification.VERIFIED


@pytest.mark.parametrize("text", ["hello", "12345", "1234567", "my phone is 07911 123456", ""])
def test_a_message_without_one_six_digit_code_is_not_a_try(store: RequestStore, text: str) -> None:
    reference, _ = awaiting(store)
    assert check(store, reference, text).outcome == verification.NOT_A_CODE
    assert store.code_state(reference).tries == 0


def test_parallel_guesses_cannot_exceed_the_tries(store: RequestStore) -> None:
    """Twenty guesses at once from many threads (as from several servers): five tries."""
    reference, code = awaiting(store)
    wrong = other_than(code)
    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(lambda i: check(store, reference, wrong, f"c{i}"), range(20)))
    assert store.code_state(reference).tries == SETTINGS.max_tries
    assert sum(o.outcome == verification.WRONG for o in outcomes) == SETTINGS.max_tries - 1
    # The rest: the code used up, or the address's window full (15 tries a day).
    limited = {verification.USED_UP, verification.TOO_MANY}
    assert sum(o.outcome in limited for o in outcomes) == 20 - (SETTINGS.max_tries - 1)


def test_a_brute_force_is_stopped_by_the_limits(store: RequestStore) -> None:
    """An attacker who types the victim's address makes request after request, asks for
    every code it may, and guesses: the address's daily window caps the guesses compared."""
    compared = 0
    for n in range(8):
        reference, code = awaiting(store, f"attack-{n}")
        for _ in range(SETTINGS.max_codes):
            verification.ask_new_code(store, SETTINGS, reference, NOW + timedelta(hours=n))
            verification.issue_code(store, SETTINGS, reference, NOW)
            for _ in range(SETTINGS.max_tries + 2):
                guess = f"{secrets.randbelow(10**6):06d}"
                outcome = check(store, reference, guess, who=f"attacker-{n}").outcome
                compared += outcome in (verification.WRONG, verification.USED_UP)
                assert outcome != verification.VERIFIED or guess == code
    print(f"\nguesses compared in a day for one address: {compared} of 10^6 codes")
    assert compared <= SETTINGS.tries_per_address_day


def test_new_codes_are_limited_in_number_and_spacing(store: RequestStore) -> None:
    reference, _ = awaiting(store)
    ask = verification.ask_new_code
    assert not ask(store, SETTINGS, reference, NOW + timedelta(seconds=30)), "too soon"
    assert ask(store, SETTINGS, reference, NOW + timedelta(minutes=1))
    assert ask(store, SETTINGS, reference, NOW + timedelta(minutes=2))
    assert not ask(store, SETTINGS, reference, NOW + timedelta(minutes=3)), "three codes"
    purposes = [m.purpose for m in store.claim_mails(NOW + timedelta(minutes=3))]
    assert purposes == ["code", "code", "code"]


def test_a_new_code_voids_the_last(store: RequestStore) -> None:
    reference, first = awaiting(store)
    second = verification.issue_code(store, SETTINGS, reference, NOW)
    if first != second:
        assert check(store, reference, first).outcome == verification.WRONG
    assert check(store, reference, second).outcome == verification.VERIFIED


def test_unverified_past_the_window_is_closed_and_forgotten(store: RequestStore) -> None:
    reference, code = awaiting(store)
    verified, verified_code = awaiting(store, "k2")
    assert check(store, verified, verified_code).outcome == verification.VERIFIED
    within = NOW + timedelta(days=SETTINGS.within_days) - timedelta(minutes=1)
    assert verification.close_expired(store, SETTINGS, within) == 0
    after = NOW + timedelta(days=SETTINGS.within_days, minutes=1)
    assert verification.close_expired(store, SETTINGS, after) == 1
    closed = store.get(reference)
    assert closed.status == UNVERIFIED and closed.details == {}
    assert store.code_state(reference).code_hash is None
    assert store.history(reference)[-1].event == UNVERIFIED
    assert check(store, reference, code).outcome == verification.NOT_AWAITING
    assert store.get(verified).status == PENDING  # a verified one is never closed
    assert [r.reference for r in store.claim_due(after)] == [verified]


def test_a_cancelled_request_is_closed_and_its_mails_dropped(store: RequestStore) -> None:
    reference, _ = awaiting(store)
    assert store.cancel(reference)
    cancelled = store.get(reference)
    assert cancelled.status == CANCELLED and cancelled.details == {}
    assert store.claim_mails(NOW + timedelta(minutes=1)) == []
    assert not store.cancel(reference)


def test_rate_windows_count_atomically(store: RequestStore) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = list(pool.map(lambda _: store.count_in_window("scope", NOW), range(40)))
    assert sorted(counts) == list(range(1, 41))


@pytest.mark.parametrize(
    ("text", "code"),
    [("482913", "482913"), ("482 913", "482913"), ("code: 482-913.", "482913"), ("4829131", None)],
)
def test_a_code_is_read_as_people_type_it(text: str, code: str | None) -> None:
    assert verification.typed_code(text) == code


def test_the_key_file_is_made_once_and_kept_private(tmp_path: Path) -> None:
    settings = VerificationSettings(key_file=tmp_path / "keys" / "verification.key")
    first = verification.key(settings)
    assert verification.key(settings) == first and len(first) == 64
    assert (settings.key_file.stat().st_mode & 0o777) == 0o600


def test_the_code_mail_has_only_its_headers_whatever_the_name(tmp_path: Path) -> None:
    outbox = open_outbox(RequestSettings.from_env({"OUTBOX_DB": str(tmp_path / "o.db")}))
    details = {"full_name": "Jane\r\nBcc: evil@example.org", "email": "jane@example.com"}
    request = outbox.submit("k", "access", details, "rest", NOW, NEEDS_CODE)
    message = compose_code(request, "123456", RequestSettings.from_env({}))
    assert sorted(message.keys()) == [
        "Content-Transfer-Encoding",
        "Content-Type",
        "Date",
        "From",
        "MIME-Version",
        "Message-ID",
        "Subject",
        "To",
    ]
    assert message["To"] == "jane@example.com" and "123456" not in message["Subject"]


def test_the_relay_mails_the_code_then_the_receipt_and_only_then_the_request(
    tmp_path: Path,
) -> None:
    """The code mail goes to the customer and nothing to customer service; after the right
    code, the receipt goes to the customer and the request to customer service, once."""
    port = free_port()
    settings = RequestSettings(
        outbox_db=tmp_path / "outbox.db",
        mailbox="cs@jessops.com",
        sender="privacy-assistant@jessops.com",
        poll_s=0.05,
        backoff_base_s=0.05,
        backoff_max_s=0.2,
        verification=SETTINGS,
    )
    smtp = SmtpSettings("127.0.0.1", port, None, None, False, timeout_s=5)
    relay = Relay(open_outbox(settings), smtp, settings)
    request = relay.outbox.submit("k", "deletion", DETAILS, "rest", acceptance=NEEDS_CODE)
    mail = tmp_path / "mail"
    with smtp_server(SavingHandler(mail), port):
        asyncio.run(relay.run_once())
        [code_mail] = saved_messages(mail)
        assert code_mail["To"] == "jane@example.com"
        code = code_mail.get_body(("plain",)).get_content().split("Your code is: ")[1][:6]
        outcome = verification.check_code(relay.outbox, SETTINGS, request.reference, code, "c")
        assert outcome.outcome == verification.VERIFIED
        asyncio.run(relay.run_once())
        asyncio.run(relay.run_once())
    recipients = [m["To"] for m in saved_messages(mail)]
    assert sorted(recipients) == ["cs@jessops.com", "jane@example.com", "jane@example.com"]
    [to_service] = [m for m in saved_messages(mail) if m["To"] == "cs@jessops.com"]
    body = to_service.get_body(("plain",)).get_content()
    assert "Email address verified: yes, " in body and code not in body


def test_an_outbox_from_before_verification_is_brought_up_to_date(tmp_path: Path) -> None:
    """A shop's existing outbox file gains the new columns and keeps its requests."""
    path = tmp_path / "outbox.db"
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE requests (id INTEGER PRIMARY KEY AUTOINCREMENT, reference TEXT UNIQUE,"
            " submission_key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, details TEXT NOT NULL,"
            " channel TEXT NOT NULL, received_at TEXT NOT NULL, due_on TEXT NOT NULL,"
            " status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,"
            " next_attempt_at TEXT NOT NULL, last_error TEXT, sent_at TEXT);"
            "INSERT INTO requests (reference, submission_key, kind, details, channel, received_at,"
            " due_on, next_attempt_at) VALUES ('JES-2025-000001', 'old', 'deletion', '{}', 'rest',"
            " '2025-06-01T10:00:00.000000+00:00', '2025-07-01',"
            " '2025-06-01T10:00:00.000000+00:00');"
        )
    store = Outbox(path)
    assert store.get("JES-2025-000001").status == PENDING
    reference, code = awaiting(store)
    assert check(store, reference, code).outcome == verification.VERIFIED


def test_the_requests_cli_shows_each_status_and_who_verified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OUTBOX_DB", str(tmp_path / "outbox.db"))
    monkeypatch.setenv("VERIFY_SECRET", "test-secret")
    store = open_outbox(RequestSettings.from_env())
    waiting, _ = awaiting(store, "k1")
    verified, code = awaiting(store, "k2")
    assert check(store, verified, code).outcome == verification.VERIFIED
    assert requests_cli(["list", "--status", "awaiting_verification"]) == 0
    listing = capsys.readouterr().out
    assert waiting in listing and verified not in listing and "Jane" not in listing
    assert requests_cli(["show", verified]) == 0
    shown = capsys.readouterr().out
    assert "Email address verified: yes, 02 March 2026, 10:00 GMT" in shown
    trail = shown.split("Audit trail:")[1].split()
    assert "verified" in trail and "email" in trail and code not in shown
