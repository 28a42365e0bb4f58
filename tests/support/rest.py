"""A tiny client for the Rasa REST webhook, as another channel would call it."""

from __future__ import annotations

import requests

TIMEOUT_S = 60


def send(webhook: str, sender: str, message: str, **headers: str) -> requests.Response:
    return requests.post(
        webhook, json={"sender": sender, "message": message}, headers=headers, timeout=TIMEOUT_S
    )


def reply_text(webhook: str, sender: str, message: str) -> str:
    """All the bot's text replies to ``message``, joined; fails on a non-200 answer."""
    response = send(webhook, sender, message)
    response.raise_for_status()
    return "\n".join(m.get("text", "") for m in response.json())
