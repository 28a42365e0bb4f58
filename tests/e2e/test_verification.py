"""End to end over REST with the real relay and mail sink: the customer proves the address
by the code mailed to it, and every way round that proof fails, with nothing lost.

Each bot turn is compared whole. Where a test needs time to pass (a code's 30 minutes, a
request's 7 days) it moves the request's own clock in the outbox file, as the relay and
the action server read it, instead of waiting.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from datetime import datetime, timedelta, timezone

import pytest

from data_requests.outbox import CANCELLED, PENDING, UNVERIFIED, Outbox
from stack.processes import Stack
from stack.rest_client import new_sender, reference_in, reply_text
from tests.support.smtp_servers import (
    CODE_SUBJECT,
    code_mailed,
    mails_about,
    wait_for_mail,
)

pytestmark = pytest.mark.e2e

EMAIL = "sam.carter@example.com"
DELETE = ["please delete my data", "Sam Carter", EMAIL, "skip", "skip", "yes"]
SEND_A_NEW_CODE = 'or say "send a new code".'
WRONG = "That code isn't right. You have {} with this code, " + SEND_A_NEW_CODE
USED_UP = (
    'That code can\'t be used any more: it was tried too many times. Say "send a new code" '
    "for another."
)
EXPIRED = 'That code has expired. Say "send a new code" and I\'ll email you another.'
NEW_CODE = (
    "I'm emailing you a new code now; the last one no longer works. Please type it here "
    "when it arrives."
)
NO_NEW_CODE = (
    "I can't send another code just now: at most 3 codes go out for one request, a minute "
    "apart. Please check your inbox and spam folder, or type the code you have."
)
ON_ITS_WAY = (
    "The email with your code is on its way: it can take a few minutes. Please type the "
    "code when it arrives."
)
NOTHING_AWAITED = (
    "There's no request waiting for a code. You can ask me to correct, delete or deactivate "
    "your data, to send you a copy of it, or to stop marketing emails."
)
TOO_MANY = (
    "Too many codes have been tried, so I can't check another just now. Please try again "
    "in an hour, or contact customer service at cs@jessops.com or 0845 458 7005 and quote "
    "{}."
)


def confirmed(stack: Stack, sender: str, email: str = EMAIL) -> str:
    """Walk a deletion request to "yes"; its reference."""
    turns = [*DELETE[:2], email, *DELETE[3:]]
    replies = [reply_text(stack.settings.rest_webhook, sender, turn) for turn in turns]
    assert f"I'm emailing a 6-digit code to {email}" in replies[-1]
    return reference_in(replies[-1])


def say(stack: Stack, sender: str, message: str) -> str:
    return reply_text(stack.settings.rest_webhook, sender, message)


def other_than(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def move_clock(stack: Stack, reference: str, **back: timedelta) -> None:
    """Make the request's times (``code_expires_at``, ``received_at``) lie ``back`` ago."""
    with sqlite3.connect(stack.settings.paths.outbox_db) as db:
        for column, by in back.items():
            (stamp,) = db.execute(
                f"SELECT {column} FROM requests WHERE reference = ?", (reference,)
            ).fetchone()
            moved = datetime.fromisoformat(stamp) - by
            db.execute(
                f"UPDATE requests SET {column} = ? WHERE reference = ?",
                (moved.astimezone(timezone.utc).isoformat(timespec="microseconds"), reference),
            )


def to_customer_service(stack: Stack, reference: str) -> list:
    return [m for m in mails_about(stack.settings.paths.mail_dir, reference) if m["To"] != EMAIL]


def test_wrong_codes_count_down_until_the_code_is_void_and_nothing_is_sent(stack: Stack) -> None:
    sender = new_sender("wrong")
    reference = confirmed(stack, sender)
    code = code_mailed(stack.settings.paths.mail_dir, reference, EMAIL)
    tries = ["4 more tries", "3 more tries", "2 more tries", "1 more try"]
    for left in tries:
        assert say(stack, sender, other_than(code)) == WRONG.format(left)
    assert say(stack, sender, other_than(code)) == USED_UP
    assert say(stack, sender, code) == USED_UP  # the right code, too late
    assert Outbox(stack.settings.paths.outbox_db).get(reference).status == "awaiting_verification"
    assert to_customer_service(stack, reference) == []
    # A new code (a minute after the last) starts again, and the old one stays void.
    move_clock(stack, reference, last_code_at=timedelta(minutes=2))
    assert say(stack, sender, "send me another code") == NEW_CODE
    fresh = wait_for_new_code(stack, reference, code)
    assert say(stack, sender, fresh).startswith("Thank you, your email address is confirmed.")
    assert wait_for_mail(stack.settings.paths.mail_dir, reference, "cs@jessops.com")


def wait_for_new_code(stack: Stack, reference: str, old: str, timeout_s: float = 30) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        codes = [
            m
            for m in mails_about(stack.settings.paths.mail_dir, reference)
            if CODE_SUBJECT in m["Subject"]
        ]
        if len(codes) > 1:
            return code_mailed(stack.settings.paths.mail_dir, reference, EMAIL)
        time.sleep(0.2)
    raise AssertionError(f"no second code for {reference} (first {old[:1]}...)")


def test_an_expired_code_is_refused_and_new_codes_are_limited(stack: Stack) -> None:
    sender = new_sender("expired")
    reference = confirmed(stack, sender)
    code = code_mailed(stack.settings.paths.mail_dir, reference, EMAIL)
    move_clock(stack, reference, code_expires_at=timedelta(minutes=31))
    assert say(stack, sender, code) == EXPIRED
    assert say(stack, sender, "send a new code") == NO_NEW_CODE  # within a minute of the first
    move_clock(stack, reference, last_code_at=timedelta(minutes=2))
    assert say(stack, sender, "send a new code") == NEW_CODE
    fresh = wait_for_new_code(stack, reference, code)
    assert fresh != code or say(stack, sender, code).startswith("Thank you")


def test_a_request_not_verified_in_seven_days_is_closed_and_never_sent(stack: Stack) -> None:
    sender = new_sender("closed")
    reference = confirmed(stack, sender)
    code = code_mailed(stack.settings.paths.mail_dir, reference, EMAIL)
    move_clock(stack, reference, received_at=timedelta(days=7, minutes=1))
    outbox = Outbox(stack.settings.paths.outbox_db)
    deadline = time.monotonic() + 30
    while outbox.get(reference).status != UNVERIFIED:  # the relay closes it on its next round
        assert time.monotonic() < deadline, "not closed"
        time.sleep(0.2)
    assert outbox.get(reference).details == {}  # the customer's details deleted with it
    assert say(stack, sender, code) == NOTHING_AWAITED
    assert to_customer_service(stack, reference) == []


def test_cancel_while_a_code_is_awaited_withdraws_the_request(stack: Stack) -> None:
    sender = new_sender("withdraw")
    reference = confirmed(stack, sender)
    assert say(stack, sender, "cancel") == (
        f"OK, I've cancelled request {reference} and deleted the details you gave. Nothing "
        "was passed to customer service."
    )
    withdrawn = Outbox(stack.settings.paths.outbox_db).get(reference)
    assert withdrawn.status == CANCELLED and withdrawn.details == {}
    assert say(stack, sender, "123456") == NOTHING_AWAITED


def test_the_action_server_restarted_between_confirmation_and_code(stack: Stack) -> None:
    sender = new_sender("restart")
    reference = confirmed(stack, sender)
    stack.service("action-server").kill()
    stack.restart("action-server")
    code = code_mailed(stack.settings.paths.mail_dir, reference, EMAIL)
    assert say(stack, sender, code).startswith("Thank you, your email address is confirmed.")
    assert Outbox(stack.settings.paths.outbox_db).get(reference).status in (PENDING, "sent")


def test_the_mail_server_down_the_code_is_retried_and_the_chat_says_it_is_coming(
    stack: Stack,
) -> None:
    sender = new_sender("mail-down")
    stack.service("mail-sink").stop()
    try:
        reference = confirmed(stack, sender)
        history = Outbox(stack.settings.paths.outbox_db).history
        deadline = time.monotonic() + 30
        while "mail_retried" not in [e.event for e in history(reference)]:
            assert time.monotonic() < deadline, "the code mail was not tried"
            time.sleep(0.2)
        assert say(stack, sender, "482913") == ON_ITS_WAY
    finally:
        stack.restart("mail-sink")
    code = code_mailed(stack.settings.paths.mail_dir, reference, EMAIL)
    assert say(stack, sender, code).startswith("Thank you, your email address is confirmed.")


def test_a_question_with_digits_is_no_code_when_none_is_awaited(stack: Stack) -> None:
    """The classifier has taken "under 13" for a code; with no request waiting for one,
    the customer gets the policy's reply, and six digits alone are told nothing waits."""
    sender = new_sender("digits")
    assert say(stack, sender, "can kids under 13 use the site") == (
        "Our privacy policy doesn't cover that, so I can't answer it from the policy. For "
        "questions about the policy, email webmaster@jessops.com. For anything else, contact "
        "customer service at cs@jessops.com or call 0845 458 7005."
    )
    assert say(stack, sender, "123456") == NOTHING_AWAITED


def test_guessing_is_stopped_by_the_limits(stack: Stack) -> None:
    """Twelve random guesses in one conversation (the channel's rate limit allows 20
    messages a minute): 4 are refused as wrong, the code is void at the 5th, and after 10
    tries in the conversation's hour the customer is told to wait or call."""
    sender = new_sender("guess")
    reference = confirmed(stack, sender, "guess.target@example.com")
    code_mailed(stack.settings.paths.mail_dir, reference, "guess.target@example.com")
    replies = [say(stack, sender, f"{secrets.randbelow(10**6):06d}") for _ in range(12)]
    wrong = [r for r in replies if r.startswith("That code isn't right")]
    print(f"\n12 guesses: {len(wrong)} refused as wrong, {replies.count(USED_UP)} void")
    assert len(wrong) <= 4 and replies[10:] == [TOO_MANY.format(reference)] * 2
    assert Outbox(stack.settings.paths.outbox_db).get(reference).status == "awaiting_verification"
