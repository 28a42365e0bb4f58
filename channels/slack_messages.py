"""What the Slack connector decides about a message, standard library only.

Kept apart from ``channels.slack`` (which imports Rasa) so it is unit-tested without a
Rasa server: which events are a person writing, which delivery names which message, a
bounded memory of messages already answered, and escaping for Slack's markup.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from handoff.messages import escape_mrkdwn

__all__ = ["escape_mrkdwn"]  # the Slack connector's escaping is the handoff threads' too

# Message subtypes that are still a person writing; others (channel_join, channel_topic,
# message_changed, bot_message, ...) are Slack reporting an event.
PERSON_SUBTYPES = {None, "thread_broadcast", "file_share"}
# Slack retries within about five minutes; this many recent messages cover that easily.
REMEMBERED_MESSAGES = 10_000


# What a screen reader says for a button whose title is an emoji and a word or two.
BUTTON_LABELS = {
    "/feedback_up": "This answer was helpful",
    "/feedback_down": "This answer was not helpful",
}
SLACK_BUTTONS_MAX = 5  # Slack shows no button of an actions block with more


def button_blocks(text: str, buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Block Kit blocks for ``text`` with ``buttons`` under it (Slack's plain text is
    never read as markup, so it needs no escaping)."""
    elements = []
    for button in buttons[:SLACK_BUTTONS_MAX]:
        element = {
            "type": "button",
            "text": {"type": "plain_text", "text": button["title"], "emoji": True},
            "value": button["payload"],
        }
        label = BUTTON_LABELS.get(button["payload"].split("{")[0])
        if label:
            element["accessibility_label"] = label
        elements.append(element)
    return [
        {"type": "section", "text": {"type": "plain_text", "text": text}},
        {"type": "actions", "elements": elements},
    ]


def is_person_writing(payload: Mapping[str, Any]) -> bool:
    """Whether an Events API payload is a person's message, not Slack reporting an event."""
    return (payload.get("event") or {}).get("subtype") in PERSON_SUBTYPES


def message_key(payload: Mapping[str, Any]) -> str | None:
    """Channel and timestamp of the Slack message an Events API payload is about.

    Together they name one message, whichever event (``message``, ``app_mention``) or
    retry brought it.
    """
    event = payload.get("event") or {}
    if not event.get("ts"):
        return None
    return f"{event.get('channel')}/{event['ts']}"


class RecentKeys:
    """A bounded memory of keys already seen, oldest forgotten first."""

    def __init__(self, size: int = REMEMBERED_MESSAGES) -> None:
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._size = size

    def first_time(self, key: str) -> bool:
        """Remember ``key``; True unless it was already remembered."""
        if key in self._keys:
            return False
        self._keys[key] = None
        if len(self._keys) > self._size:
            self._keys.popitem(last=False)
        return True
