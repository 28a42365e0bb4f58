"""Proving that the person asking owns the email address the request names.

The practice of ethyca/fides: a 6-digit code, made with ``secrets``, mailed to the
address; valid ``VERIFY_CODE_MINUTES``; a few tries. Only a keyed hash (HMAC-SHA256) of
the code is stored, bound to its request's reference, and compared in constant time;
the code itself exists in the relay's memory while it mails it, and in the customer's
inbox. Every try is counted before it is compared (``take_try``), and tries are also
limited per conversation and per address in shared windows, so neither parallel
servers nor new requests give a guesser more.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from data_requests.outbox import AWAITING_VERIFICATION, RequestStore, utc_now
from settings import VerificationSettings

CODE_DIGITS = 6
# A code as people type it: "123456", "123 456", "123-456", "my code is 123456".
_TYPED_CODE = re.compile(r"(?<!\d)(\d{3})[ -]?(\d{3})(?!\d)")
_DIGITS = re.compile(r"\d")
# What checking a typed code can come to.
VERIFIED, WRONG, EXPIRED, USED_UP, NOT_A_CODE, NO_CODE_YET = (
    "verified",
    "wrong",
    "expired",
    "used_up",
    "not_a_code",
    "no_code_yet",
)
TOO_MANY, NOT_AWAITING = "too_many", "not_awaiting"
BY_EMAIL_CODE = "email code"


@dataclass(frozen=True)
class Check:
    """The outcome of a typed code, and the tries left on this code when it was wrong."""

    outcome: str
    tries_left: int = 0


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def typed_code(text: str) -> str | None:
    """The 6-digit code in a message, or None if it holds none (or other digits too)."""
    match = _TYPED_CODE.search(text or "")
    if match is None or len(_DIGITS.findall(text)) != CODE_DIGITS:
        return None
    return match.group(1) + match.group(2)


def key(settings: VerificationSettings) -> bytes:
    """``VERIFY_SECRET``, else a random key made once and kept in ``key_file``.

    Created with O_EXCL, so two servers starting together agree on one key.
    """
    if settings.secret:
        return settings.secret.encode()
    path: Path = settings.key_file
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def _digest(secret: bytes, *parts: str) -> str:
    return hmac.new(secret, "\x00".join(parts).encode(), hashlib.sha256).hexdigest()


def code_hash(secret: bytes, reference: str, code: str) -> str:
    """The stored form of a code: useless without the key, and only for this request."""
    return _digest(secret, "code", reference, code)


def email_key(secret: bytes, email: str) -> str:
    """An address as the rate limits count it, without storing it a second time."""
    return _digest(secret, "email", email.strip().lower())


def _window(now: datetime, length: timedelta) -> datetime:
    seconds = length.total_seconds()
    start = now.timestamp() // seconds * seconds
    return datetime.fromtimestamp(start, tz=timezone.utc)


def check_code(
    store: RequestStore,
    settings: VerificationSettings,
    reference: str,
    text: str,
    conversation: str,
    now: datetime | None = None,
) -> Check:
    """Check the code typed in ``text`` for request ``reference``; verify it if right."""
    now = now or utc_now()
    code = typed_code(text)
    if code is None:
        return Check(NOT_A_CODE)
    secret = key(settings)
    request_state = store.code_state(reference)
    request = store.get(reference)
    if request is None or request.status != AWAITING_VERIFICATION or request_state is None:
        return Check(NOT_AWAITING)
    if request_state.code_hash is None:
        return Check(NO_CODE_YET)
    if not _within_limits(store, settings, secret, conversation, request.details, now):
        return Check(TOO_MANY)
    typed = code_hash(secret, reference, code)
    if store.code_mail_failing(reference) and not hmac.compare_digest(
        typed, request_state.code_hash
    ):
        # The code stored is the one the relay is trying again to send (seen in CI: a
        # guess typed during the retry was "wrong"); the customer has none yet.
        return Check(NO_CODE_YET)
    taken = store.take_try(reference, settings.max_tries)
    if taken is None:
        return Check(_why_no_try(store, reference))
    tries, state = taken
    if state.expires_at is None or now > state.expires_at:
        return Check(EXPIRED)
    if hmac.compare_digest(typed, state.code_hash or ""):
        store.verify(reference, BY_EMAIL_CODE, now)
        return Check(VERIFIED)
    store.refuse_code(reference, tries, settings.max_tries)
    left = settings.max_tries - tries
    return Check(WRONG if left else USED_UP, left)


def _why_no_try(store: RequestStore, reference: str) -> str:
    """No try was left to take: the tries are gone, or the relay voided the code since
    it was read (a code mail that failed while the customer typed, seen in CI), in
    which case the customer is still waiting for one."""
    state = store.code_state(reference)
    return NO_CODE_YET if state is not None and state.code_hash is None else USED_UP


def _within_limits(
    store: RequestStore,
    settings: VerificationSettings,
    secret: bytes,
    conversation: str,
    details: dict,
    now: datetime,
) -> bool:
    """Count this try in the conversation's hour and the address's day; both must allow it."""
    hour, day = _window(now, timedelta(hours=1)), _window(now, timedelta(days=1))
    in_conversation = store.count_in_window(
        "conversation:" + _digest(secret, "conversation", conversation), hour
    )
    in_address = store.count_in_window(
        "address:" + email_key(secret, details.get("email") or ""), day
    )
    return (
        in_conversation <= settings.tries_per_conversation_hour
        and in_address <= settings.tries_per_address_day
    )


def ask_new_code(
    store: RequestStore, settings: VerificationSettings, reference: str, now: datetime | None = None
) -> bool:
    """Queue a new code mail for the request, within its limits (count and spacing)."""
    now = now or utc_now()
    not_before = now - timedelta(seconds=settings.resend_after_s)
    return store.ask_new_code(reference, settings.max_codes, not_before, now)


def issue_code(
    store: RequestStore, settings: VerificationSettings, reference: str, now: datetime | None = None
) -> str | None:
    """A fresh code for the request, its hash stored (the last one void); None if the
    request no longer awaits one. Called by the relay just before it mails the code."""
    now = now or utc_now()
    code = new_code()
    expires = now + timedelta(minutes=settings.code_minutes)
    if not store.set_code(reference, code_hash(key(settings), reference, code), expires):
        return None
    return code


def close_expired(
    store: RequestStore, settings: VerificationSettings, now: datetime | None = None
) -> int:
    """Close requests not verified within ``VERIFY_WITHIN_DAYS``, deleting their details."""
    now = now or utc_now()
    return store.close_unverified(now - timedelta(days=settings.within_days), now)
