"""Real SMTP servers for tests (aiosmtpd), including ones that misbehave on purpose."""

from __future__ import annotations

import email
import email.policy
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from stack.mail_sink import SavingHandler

MAIL_WAIT_S = 30


class ScriptedHandler(SavingHandler):
    """Answers the n-th message with the n-th of ``replies``, then saves like the sink."""

    def __init__(self, folder: Path, replies: Sequence[str]) -> None:
        super().__init__(folder)
        self.replies = list(replies)
        self.attempts = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
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


def saved_messages(folder: Path) -> list[EmailMessage]:
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(folder.glob("*.eml"))
    ]


def wait_for_mail(folder: Path, reference: str, timeout_s: float = MAIL_WAIT_S) -> EmailMessage:
    """The email about ``reference`` once the relay has delivered it to ``folder``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for message in saved_messages(folder):
            if reference in message["Subject"]:
                return message
        time.sleep(0.2)
    raise AssertionError(f"no mail for {reference} in {timeout_s} s")
