"""Real SMTP servers for tests (aiosmtpd), including ones that misbehave on purpose."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from stack.mail_sink import SavingHandler, saved_messages

MAIL_WAIT_S = 30
# The subjects of the mails a customer gets (data_requests/mail.py).
CODE_SUBJECT, RECEIPT_SUBJECT = "Confirm your request to Jessops", "We have your request"


class ScriptedHandler(SavingHandler):
    """Answers the n-th message with the n-th of ``replies``, then saves like the sink.

    With ``only_to``, only messages to that address are scripted (those to customers,
    their codes and receipts, are saved as they come)."""

    def __init__(self, folder: Path, replies: Sequence[str], only_to: str | None = None) -> None:
        super().__init__(folder)
        self.replies = list(replies)
        self.only_to = only_to
        self.attempts = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.only_to and self.only_to not in envelope.rcpt_tos:
            return await super().handle_DATA(server, session, envelope)
        self.attempts += 1
        if self.attempts <= len(self.replies):
            return self.replies[self.attempts - 1]
        return await super().handle_DATA(server, session, envelope)


class FlakyHandler(ScriptedHandler):
    """Answers the first ``failures`` messages with ``reply``, then saves like the sink."""

    def __init__(self, folder: Path, reply: str, failures: int) -> None:
        super().__init__(folder, [reply] * failures)


@contextmanager
def smtp_server(handler: SavingHandler, port: int) -> Iterator[Controller]:
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def wait_for_mail(
    folder: Path,
    reference: str,
    to: str | None = None,
    subject: str = "",
    timeout_s: float = MAIL_WAIT_S,
) -> EmailMessage:
    """The email about ``reference`` (to ``to`` and with ``subject`` in its subject, if
    given) once the relay has delivered it to ``folder``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for message in saved_messages(folder):
            if f"{reference}] {subject}" in message["Subject"] and to in (None, message["To"]):
                return message
        time.sleep(0.2)
    raise AssertionError(f"no mail for {reference} to {to or 'anyone'} in {timeout_s} s")


def mails_about(folder: Path, reference: str) -> list[EmailMessage]:
    return [m for m in saved_messages(folder) if reference in m["Subject"]]


def code_mailed(folder: Path, reference: str, to: str) -> str:
    """The verification code the relay mailed to ``to`` for ``reference`` (the latest)."""
    wait_for_mail(folder, reference, to, CODE_SUBJECT)
    [*_, latest] = [
        m for m in mails_about(folder, reference) if m["To"] == to and CODE_SUBJECT in m["Subject"]
    ]
    body = latest.get_body(("plain",)).get_content()
    return re.search(r"Your code is: (\d{6})", body).group(1)
