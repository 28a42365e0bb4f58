"""What a handoff is, and what every store of them does. Standard library only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Protocol

# A handoff nobody ended (a person replied, then both went quiet) is over after this.
LASTS = timedelta(days=1)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Handoff:
    """A customer's chat handed to the support team: the customer's conversation (the
    widget's session id, Rasa's sender id) and the Slack thread staff answer in.

    ``taken``: a person has replied, so the wait for one is over.
    """

    sender: str
    thread_ts: str
    started_at: datetime
    taken: bool = False


class HandoffStore(Protocol):
    """Handoffs under way, found from either side: the customer's or the thread's."""

    def start(self, handoff: Handoff) -> None:
        """Record a new handoff (replacing any earlier one of the same customer)."""

    def by_sender(self, sender: str) -> Handoff | None: ...

    def by_thread(self, thread_ts: str) -> Handoff | None: ...

    def take(self, sender: str) -> None:
        """Mark that a person replied."""

    def end(self, sender: str) -> Handoff | None:
        """Forget the customer's handoff; the one ended, or None if there was none (so
        when staff and customer end it at once, only one of them acts on it)."""
