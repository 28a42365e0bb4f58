"""A tiny client for the Rasa REST webhook, as another channel would call it."""

from __future__ import annotations

import re
import uuid

import requests

TIMEOUT_S = 60
REFERENCE = re.compile(r"\bJES-\d{4}-\d{6}\b")


def send(webhook: str, sender: str, message: str, **headers: str) -> requests.Response:
    return requests.post(
        webhook, json={"sender": sender, "message": message}, headers=headers, timeout=TIMEOUT_S
    )


def reply_text(webhook: str, sender: str, message: str) -> str:
    """All the bot's text replies to ``message``, joined; fails on a non-200 answer."""
    response = send(webhook, sender, message)
    response.raise_for_status()
    return "\n".join(m.get("text", "") for m in response.json())


def new_sender(prefix: str) -> str:
    """A sender id no other conversation uses, named for the test that owns it."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def reference_in(text: str) -> str | None:
    """The request reference (JES-YYYY-NNNNNN) a reply gives, if any."""
    match = REFERENCE.search(text)
    return match.group() if match else None


def converse(webhook: str, turns: list[str], sender: str | None = None) -> list[str]:
    """The bot's whole reply to each turn of one new conversation."""
    sender = sender or new_sender("talk")
    return [reply_text(webhook, sender, turn) for turn in turns]
