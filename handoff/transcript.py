"""The message that opens a handoff's thread: what the customer asked and what the
assistant answered, with personal details masked.

The customer asked for a person, not for their conversation to be copied into a chat
tool: in what they typed, card numbers, codes, email addresses, phone numbers and every
detail they gave a request are masked (``privacy.redaction.redact_free_text`` with the
conversation's own personal values); in the assistant's answers, which quote the
policy's own contacts, card numbers and those details. Button payloads are left out
(they name intents, not words), and only the last few messages are shown. A request's reference is
named, so staff can look it up (``make requests ARGS='show REF'``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from privacy.redaction import mask_cards, mask_values, redact_free_text

# Enough to see what the customer was after; more is a transcript nobody asked to share.
LAST_MESSAGES = 10
REFERENCE = re.compile(r"\bJES-\d{4}-\d{6}\b")
Event = Mapping[str, Any]
CUSTOMER, ASSISTANT = "Customer", "Assistant"


def masked(who: str, words: str, personal: set[str]) -> str:
    """A message as the thread shows it (see the module's docstring for what is masked)."""
    if who == CUSTOMER:
        return redact_free_text(words, personal)
    return mask_values(mask_cards(words), personal)


def bot_text(event: Event) -> str:
    """A bot message's words: its text, or the parts of a widget's data payload."""
    if event.get("text"):
        return str(event["text"])
    custom = ((event.get("data") or {}).get("custom") or {}).get("data") or {}
    parts = (custom.get(part) for part in ("lead", "text", "quote", "note"))
    return " ".join(str(part) for part in parts if part)


def said(events: Iterable[Event]) -> list[tuple[str, str]]:
    """(who, words) of each message in the conversation, oldest first."""
    lines = []
    for event in events:
        typed = str(event.get("text") or "")
        if event.get("event") == "user" and typed and not typed.startswith("/"):
            lines.append((CUSTOMER, typed))
        elif event.get("event") == "bot" and bot_text(event):
            lines.append((ASSISTANT, bot_text(event)))
    return lines


def references(events: Iterable[Event]) -> list[str]:
    """Request references the assistant gave in this conversation, first given first."""
    found = (REFERENCE.findall(bot_text(e)) for e in events if e.get("event") == "bot")
    return list(dict.fromkeys(ref for refs in found for ref in refs))


def opening(events: list[Event], personal: Iterable[str]) -> str:
    """The thread's first message for a conversation's ``events``."""
    personal = set(personal)
    lines = [
        "A customer in the shop's chat asked for a person. Reply in this thread: "
        "the customer sees your replies as from Jessops support. "
        'Say "done" or press End chat when you have finished.'
    ]
    refs = references(events)
    if refs:
        lines.append(f"Request reference: {', '.join(refs)}")
    lines.append("The chat so far (personal details masked):")
    for who, words in said(events)[-LAST_MESSAGES:]:
        lines.append(f"{who}: {masked(who, words, personal)}")
    return "\n".join(lines)
