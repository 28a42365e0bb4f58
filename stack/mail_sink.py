"""A local SMTP server that saves every message it receives as an .eml file.

``make run`` starts it when no ``SMTP_HOST`` is configured, so a newcomer sees exactly
what customer service would receive, in ``var/mail/``. Tests use :class:`SavingHandler`
with a real aiosmtpd server too.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import re
import signal
import time
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from settings import LOOPBACK

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def saved_messages(folder: Path) -> list[EmailMessage]:
    """The messages the sink saved in ``folder``, oldest first (tests and tools read them)."""
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(folder.glob("*.eml"))
    ]


class SavingHandler:
    """aiosmtpd handler: write each message to ``folder`` and accept it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content or b""
        found = re.search(rb"^Message-ID:\s*<([^>]+)>", content, re.M | re.I)
        name = _UNSAFE.sub("_", found.group(1).decode(errors="replace") if found else "message")
        path = self.folder / f"{time.time_ns()}-{name[:80]}.eml"
        partial = path.with_suffix(".part")
        partial.write_bytes(content)
        os.replace(partial, path)  # readers never see half a message
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=LOOPBACK, help="the address to listen on")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args()
    controller = Controller(SavingHandler(args.dir), hostname=args.host, port=args.port)
    controller.start()
    print(f"mail sink on {args.host}:{args.port}, saving to {args.dir}", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    main()
