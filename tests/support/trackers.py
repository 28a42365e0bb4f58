"""Small tracker fixtures for action tests, in the style of Rasa's demo projects."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def tracker(
    text: str = "",
    intent: str = "ask_policy",
    slots: dict[str, Any] | None = None,
    active_loop: str | None = None,
    sender: str = "test-user",
) -> Tracker:
    """A tracker whose latest message is ``text`` classified as ``intent``."""
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    return Tracker(
        sender_id=sender,
        slots=dict(slots or {}),
        latest_message=latest,
        events=[{"event": "user", "text": text, "parse_data": latest}],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def run(action: Any, track: Tracker) -> tuple[list[dict], list]:
    """What ``action`` says (the dispatcher's messages) and the events it returns."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, track, {}))
    return dispatcher.messages, events
