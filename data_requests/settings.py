"""Settings of the action server and the mail relay, each from one environment variable.

Every one is optional; the defaults work on a laptop with no network (``make run``
starts a local mail sink and points the relay at it when ``SMTP_HOST`` is unset).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class SmtpSettings:
    """The mail server requests are sent through."""

    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool
    timeout_s: float = 20.0

    @classmethod
    def from_env(cls) -> SmtpSettings:
        return cls(
            host=os.environ.get("SMTP_HOST", "127.0.0.1"),
            port=int(os.environ.get("SMTP_PORT", 25)),
            username=os.environ.get("SMTP_USERNAME") or None,
            password=os.environ.get("SMTP_PASSWORD") or None,
            starttls=_flag("SMTP_STARTTLS", False),
        )


@dataclass(frozen=True)
class RequestSettings:
    """Where requests are kept and sent, and how the relay retries."""

    outbox_db: Path
    mailbox: str
    sender: str
    poll_s: float
    backoff_base_s: float
    backoff_max_s: float

    @classmethod
    def from_env(cls) -> RequestSettings:
        var = Path(os.environ.get("VAR_DIR", PROJECT_ROOT / "var"))
        return cls(
            outbox_db=Path(os.environ.get("OUTBOX_DB", var / "outbox.db")),
            mailbox=os.environ.get("REQUESTS_MAILBOX", "cs@jessops.com"),
            sender=os.environ.get("REQUESTS_FROM", "privacy-assistant@jessops.com"),
            poll_s=float(os.environ.get("RELAY_POLL_SECONDS", 1.0)),
            backoff_base_s=float(os.environ.get("RELAY_BACKOFF_SECONDS", 2.0)),
            backoff_max_s=float(os.environ.get("RELAY_BACKOFF_MAX_SECONDS", 300.0)),
        )
